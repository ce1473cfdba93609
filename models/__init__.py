"""Database models: one module per aggregate, plus the engine and session factory.

Every model module is imported here, so `Base.metadata` (what Alembic compares against and what
tests truncate) always holds every table.
"""

from models.alumnus import Alumnus, Privacy
from models.audit import BindingEvent, SearchLog, StaffAlert
from models.base import Base
from models.card import CardSite
from models.chapter import Chapter, ChapterLiaison, ChapterMember, ClassAmbassador
from models.circle import Circle, CircleMember, CircleNotice
from models.consent import PushOptOut
from models.event import Event, EventNotice, EventStatus, Registration, RegistrationStatus
from models.mentor import ContactKind, Mentor, MentorRequest, MentorStatus, RequestStatus
from models.message_log import MessageLog
from models.outreach import AnniversaryOutreach
from models.publication import Publication, PublicationFile
from models.push import Delivery, Push, SubscribeConsent
from models.reunion import (
    BookingStatus,
    ReunionBooking,
    ReunionDay,
    ReunionFeedback,
    ReunionMeal,
    ReunionMember,
    ReunionNotice,
    ReunionSlot,
    ReunionVenue,
)
from models.staff import AuditEntry, StaffAccount, StaffRole
from models.verification import VerificationRequest, VerificationStatus
from models.wechat_user import WechatUser

__all__ = [
    "Alumnus",
    "AnniversaryOutreach",
    "AuditEntry",
    "Base",
    "BindingEvent",
    "BookingStatus",
    "CardSite",
    "Chapter",
    "ChapterLiaison",
    "ChapterMember",
    "Circle",
    "CircleMember",
    "CircleNotice",
    "ClassAmbassador",
    "ContactKind",
    "Delivery",
    "Event",
    "EventNotice",
    "EventStatus",
    "Mentor",
    "MentorRequest",
    "MentorStatus",
    "MessageLog",
    "Privacy",
    "Publication",
    "PublicationFile",
    "Push",
    "PushOptOut",
    "Registration",
    "RegistrationStatus",
    "RequestStatus",
    "ReunionBooking",
    "ReunionDay",
    "ReunionFeedback",
    "ReunionMeal",
    "ReunionMember",
    "ReunionNotice",
    "ReunionSlot",
    "ReunionVenue",
    "SearchLog",
    "StaffAccount",
    "StaffAlert",
    "StaffRole",
    "SubscribeConsent",
    "VerificationRequest",
    "VerificationStatus",
    "WechatUser",
]
