"""Covers and PDFs staff upload to the library: what is accepted, and keeping them.

Only what a WeChat card and browser show safely is kept: a cover is a PNG or JPEG (what a news card's
picture may be; never SVG, which can carry script) that Pillow decodes, at most 2 MB and 4096
pixels a side; a document is a PDF (it starts with `%PDF-`), at most 10 MB. The type is read from
the bytes, never from the name or the browser's word. Each file gets an unguessable token (128
random bits): its public address holds it, so a file is found only through the item that shows it.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass
from datetime import datetime

from PIL import Image, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from handlers.publications.library import PublicationError
from models.publication import Publication, PublicationFile

COVER_MAX_BYTES = 2 * 1024 * 1024
PDF_MAX_BYTES = 10 * 1024 * 1024
COVER_MAX_SIDE = 4096
COVER, PDF = "cover", "pdf"
EXTENSIONS = {"image/png": "png", "image/jpeg": "jpg", "application/pdf": "pdf"}
TOKEN_CHARS = 32


@dataclass(frozen=True)
class Upload:
    """A checked file, not stored yet: its token is chosen now so its address can be saved."""

    kind: str
    content_type: str
    data: bytes
    token: str

    @property
    def name(self) -> str:
        """The last part of its public address: token and extension."""
        return f"{self.token}.{EXTENSIONS[self.content_type]}"


def check_cover(data: bytes) -> Upload:
    """A PNG or JPEG cover, or PublicationError on the `cover` field."""
    if not data:
        raise PublicationError("cover", "封面图片是空文件")
    if len(data) > COVER_MAX_BYTES:
        raise PublicationError("cover", f"封面图片最大 {COVER_MAX_BYTES // 1024 // 1024} MB")
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        content_type, expected = "image/png", "PNG"
    elif data.startswith(b"\xff\xd8\xff"):
        content_type, expected = "image/jpeg", "JPEG"
    else:
        raise PublicationError("cover", "封面图片只能是 JPG 或 PNG")
    try:
        with Image.open(io.BytesIO(data)) as image:
            found, (width, height) = image.format, image.size
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise PublicationError("cover", "封面图片无法读取，请换一张 JPG 或 PNG") from None
    if found != expected:
        raise PublicationError("cover", "封面图片只能是 JPG 或 PNG")
    if max(width, height) > COVER_MAX_SIDE:
        raise PublicationError("cover", f"封面图片的边长最多 {COVER_MAX_SIDE} 像素")
    return Upload(COVER, content_type, data, new_token())


def check_pdf(data: bytes) -> Upload:
    """A PDF, or PublicationError on the `pdf` field."""
    if not data:
        raise PublicationError("pdf", "PDF 是空文件")
    if len(data) > PDF_MAX_BYTES:
        raise PublicationError("pdf", f"PDF 最大 {PDF_MAX_BYTES // 1024 // 1024} MB")
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-2048:]:
        raise PublicationError("pdf", "只能上传 PDF 文件")
    return Upload(PDF, "application/pdf", data, new_token())


def new_token() -> str:
    return secrets.token_hex(TOKEN_CHARS // 2)


def store_upload(session: Session, row: Publication, upload: Upload, *, by: str,
                 now: datetime) -> PublicationFile:
    stored = PublicationFile(publication_id=row.id, token=upload.token, kind=upload.kind,
                             content_type=upload.content_type, size=len(upload.data),
                             data=upload.data, created_by=by, created_at=now)
    session.add(stored)
    session.flush()
    return stored


def public_file(session: Session, name: str) -> PublicationFile | None:
    """The file at `<token>.<ext>`, or None (a wrong extension is no file either)."""
    token, _, extension = name.partition(".")
    if len(token) != TOKEN_CHARS or not all(c in "0123456789abcdef" for c in token):
        return None
    found = session.scalar(select(PublicationFile).where(PublicationFile.token == token))
    if found is None or EXTENSIONS.get(found.content_type) != extension:
        return None
    return found
