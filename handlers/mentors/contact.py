"""The contact a mentor or a mentee chooses to share once a request is accepted: a WeChat ID, the
phone or e-mail (typed, or the roster's own), or none. Until acceptance nobody sees it."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from models import Alumnus, ContactKind

KIND_WORDS: dict[str, ContactKind] = {
    "微信": ContactKind.WECHAT, "微信号": ContactKind.WECHAT, "wechat": ContactKind.WECHAT,
    "手机": ContactKind.PHONE, "手机号": ContactKind.PHONE, "电话": ContactKind.PHONE,
    "phone": ContactKind.PHONE,
    "邮箱": ContactKind.EMAIL, "邮件": ContactKind.EMAIL, "email": ContactKind.EMAIL,
    "e-mail": ContactKind.EMAIL,
    "不留": ContactKind.NONE, "无": ContactKind.NONE, "不": ContactKind.NONE, "none": ContactKind.NONE,
}
LABELS = {ContactKind.WECHAT: "微信号", ContactKind.PHONE: "手机", ContactKind.EMAIL: "邮箱"}
_SAID = re.compile(r"^(" + "|".join(sorted(map(re.escape, KIND_WORDS), key=len, reverse=True))
                   + r")\s*[:：]?\s*(.*)$", re.IGNORECASE)
WECHAT_ID = re.compile(r"[A-Za-z][-_A-Za-z0-9]{5,19}")  # WeChat's own rule for a WeChat ID
PHONE = re.compile(r"\+?\d[\d -]{5,18}\d")
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,100}\.[A-Za-z]{2,}")


class ContactError(ValueError):
    """A contact that cannot be kept; str() is the Chinese sentence to answer with."""


@dataclass(frozen=True)
class Contact:
    kind: ContactKind
    value: str | None = None

    def shown(self) -> str:
        """How the other side reads it (only ever after acceptance)."""
        if self.kind is ContactKind.NONE or not self.value:
            return "未留联系方式（可通过本公众号的消息联系）"
        return f"{LABELS[self.kind]} {self.value}"


NO_CONTACT = Contact(ContactKind.NONE)


def parse_contact(text: str, records: list[Alumnus]) -> Contact:
    """`微信 wangfang_hr` · `手机` (the roster's) · `手机 13800000000` · `邮箱 a@b.cn` · `不留`."""
    said = unicodedata.normalize("NFKC", text or "").strip()
    match = _SAID.match(said)
    if not match:
        raise ContactError(ASK_AGAIN)
    kind = KIND_WORDS[match.group(1).lower()]
    return make_contact(kind, match.group(2).strip(), records)


def make_contact(kind: ContactKind | str, value: str | None, records: list[Alumnus]) -> Contact:
    """The contact of `kind`: a typed value checked, or for phone and e-mail the roster's."""
    kind = ContactKind(kind)
    value = (value or "").strip()
    if kind is ContactKind.NONE:
        return NO_CONTACT
    if kind is ContactKind.WECHAT:
        if not WECHAT_ID.fullmatch(value):
            raise ContactError("微信号是 6 到 20 位字母、数字、下划线或减号，以字母开头，"
                               "例如「微信 wangfang_hr」。")
        return Contact(kind, value)
    if kind is ContactKind.PHONE:
        value = value or next((r.phone for r in records if r.phone), "")
        if not value:
            raise ContactError("花名册里没有您的手机号，请连号码一起回复，例如「手机 13800000000」。")
        if not PHONE.fullmatch(value):
            raise ContactError("手机号的格式不对，例如「手机 13800000000」。")
        return Contact(kind, value)
    value = value or next((r.email for r in records if r.email), "")
    if not value:
        raise ContactError("花名册里没有您的邮箱，请连邮箱一起回复，例如「邮箱 name@example.com」。")
    if not EMAIL.fullmatch(value):
        raise ContactError("邮箱的格式不对，例如「邮箱 name@example.com」。")
    return Contact(kind, value)


ASK_AGAIN = ("请回复一种联系方式：「微信 您的微信号」、「手机」、「邮箱」（用花名册里的，或在后面写上新的），"
             "或「不留」。")
