"""WeChat signatures and safe-mode (AES) encryption, to PROTOCOL.md sections 1 and 2."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

BLOCK = 32  # WeChat pads to 32 bytes, not AES's 16


class CryptoError(Exception):
    """The encrypted payload is not ours: wrong key, corrupt data or another AppID."""


def signature(*parts: str) -> str:
    """sha1 of the sorted, concatenated parts: the token check and the msg_signature alike."""
    return hashlib.sha1("".join(sorted(parts)).encode("utf-8")).hexdigest()


def signature_matches(expected: str, *parts: str) -> bool:
    """Whether `expected` is the signature of `parts`; anything that is not ASCII never is
    (compare_digest refuses non-ASCII text with a TypeError)."""
    expected = expected or ""
    return expected.isascii() and hmac.compare_digest(signature(*parts), expected.lower())


class MessageCrypto:
    def __init__(self, encoding_aes_key: str, app_id: str) -> None:
        self.key = base64.b64decode(encoding_aes_key + "=")
        if len(self.key) != 32:
            raise ValueError("EncodingAESKey must decode to 32 bytes")
        self.app_id = app_id

    def _cipher(self) -> Cipher:
        return Cipher(algorithms.AES(self.key), modes.CBC(self.key[:16]))

    def encrypt(self, message: str, random_prefix: bytes | None = None) -> str:
        random_prefix = random_prefix if random_prefix is not None else os.urandom(16)
        body = message.encode("utf-8")
        plain = random_prefix + struct.pack(">I", len(body)) + body + self.app_id.encode("utf-8")
        pad = BLOCK - len(plain) % BLOCK
        plain += bytes([pad]) * pad
        encryptor = self._cipher().encryptor()
        return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode("ascii")

    def decrypt(self, encrypted: str) -> str:
        try:
            data = base64.b64decode(encrypted, validate=True)
        except (ValueError, TypeError):
            raise CryptoError("Encrypt 不是 base64") from None
        if not data or len(data) % 16:
            raise CryptoError("Encrypt 长度不对")
        decryptor = self._cipher().decryptor()
        plain = decryptor.update(data) + decryptor.finalize()
        pad = plain[-1]
        if not 1 <= pad <= BLOCK:
            raise CryptoError("填充错误")
        plain = plain[:-pad]
        if len(plain) < 20:
            raise CryptoError("解密结果过短")
        (length,) = struct.unpack(">I", plain[16:20])
        body, app_id = plain[20:20 + length], plain[20 + length:]
        if len(body) != length or app_id.decode("utf-8", "replace") != self.app_id:
            raise CryptoError("消息属于另一个 AppID")
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            raise CryptoError("消息不是 UTF-8") from None
