"""What an alumnus sees about themself (`我的`, API `GET /me`): their records, current city, employer
and industry, and their privacy setting. Their own phone appears masked, to themself only; this
view is never built for anyone else.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from handlers.directory.binding import bound_records
from handlers.directory.privacy import current_privacy
from models import Alumnus, Privacy, WechatUser


@dataclass(frozen=True)
class RecordView:
    alumnus_id: int
    student_id: str
    name: str
    degree: str | None
    graduation_year: int
    college: str | None
    major: str | None
    class_name: str | None


@dataclass(frozen=True)
class Profile:
    records: tuple[RecordView, ...]
    city: str | None
    employer: str | None
    industry: str | None
    privacy: Privacy
    phone_masked: str | None

    @property
    def bound(self) -> bool:
        return bool(self.records)

    @property
    def name(self) -> str | None:
        return self.records[0].name if self.records else None


def mask_phone(phone: str | None) -> str | None:
    """13812345678 -> 138****5678; too short to mask safely -> all stars."""
    digits = "".join((phone or "").split())
    if not digits:
        return None
    if len(digits) < 8:
        return "*" * len(digits)
    return f"{digits[:3]}****{digits[-4:]}"


def my_profile(session: Session, user: WechatUser) -> Profile:
    """The user's own profile; `bound` is False (and the rest empty) when they hold no record."""
    records = bound_records(session, user)
    latest = sorted(records, key=lambda r: (r.graduation_year, r.id), reverse=True)
    return Profile(
        records=tuple(_view(r) for r in records),
        city=_first(r.current_city for r in latest),
        employer=_first(r.current_employer for r in latest),
        industry=_first(r.current_industry for r in latest),
        privacy=current_privacy(records) if records else Privacy.CLASSMATES,
        phone_masked=mask_phone(_first(r.phone for r in latest)),
    )


def _view(record: Alumnus) -> RecordView:
    return RecordView(record.id, record.student_id, record.name, record.degree,
                      record.graduation_year, record.college, record.major, record.class_name)


def _first(values):
    return next((v for v in values if v), None)
