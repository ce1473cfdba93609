"""The features' own push audiences, registered on the outbox by the composition root.

`scheduler.audiences` holds the registry and the audiences any push may use (all, bound, year,
openids, users). A feature's audience is built here from the feature's functions and registered
like any other, through `register_audience`: scheduler/ imports no feature, and a feature, below
scheduler/, cannot reach the registry. `create_app` calls `register_feature_audiences`; every door
that queues a push (the webhook's late reply, the API, the CLI's broadcast, the scheduler
command's jobs) runs in an app it built.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from handlers.chapters import audience as chapters
from handlers.circles import audience as circles
from scheduler.audiences import Audience, AudienceError, register_audience


def register_feature_audiences() -> None:
    """Register every feature's audiences; registering again replaces each with its equal."""
    register_audience(Audience("chapter", chapters.member_users, chapters.audience_label,
                               resolve=_chapter))
    register_audience(Audience("circle", circles.members, circles.label, parse=_refusing(circles.parse),
                               resolve=_refusing(circles.resolve)))


def _chapter(session: Session, arg: str) -> str:
    """chapter:北京 → 北京校友会; the feature's refusal as the outbox's."""
    try:
        return chapters.resolve_chapter_name(session, arg)
    except chapters.ChapterNameError as exc:
        raise AudienceError(str(exc)) from None


def _refusing(check):
    """A circle check whose refusal is the outbox's (circle:3 that is not, circle:abc)."""
    def checked(*args):
        try:
            return check(*args)
        except circles.CircleAudienceError as exc:
            raise AudienceError(str(exc)) from None
    return checked
