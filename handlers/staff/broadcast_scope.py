"""Which broadcasts a limited role may send and see: a liaison only to their own chapter, a
college account only to its college's alumni (SPEC 7, issue 20 item 6).

The audience a push stores is `name:arg`, or `and:part&part…` for several at once
(scheduler.audiences). A limited account's push must have its own part among the parts: the
composer refuses any other on the server (`required_part`), and the push list shows only those
(`push_rule`). Written as text rules, not an import of the outbox: handlers sit below scheduler/.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_

from handlers.staff.scope import Scope
from models import Push, StaffRole

COMBINED_PREFIX = "and:"
AND = "&"


def required_part(scope: Scope) -> str | None:
    """The audience part every push of this account must include; None: any audience."""
    if scope.role is StaffRole.LIAISON:
        return f"chapter:{scope.chapter_name}" if scope.chapter_name else ""
    if scope.role is StaffRole.COLLEGE:
        return f"college:{scope.college}" if scope.college else ""
    return None


def allows(scope: Scope, parts: list[str]) -> bool:
    """Whether an audience made of `parts` (as stored) is this account's to send."""
    part = required_part(scope)
    return part is None or (bool(part) and part in parts)


def push_rule(scope: Scope) -> ColumnElement[bool]:
    """The pushes a limited role sees: its own part alone, or among an `and:` audience's parts."""
    part = required_part(scope)
    if not part:
        return false()
    audience = Push.audience
    return or_(audience == part,
               audience.startswith(f"{COMBINED_PREFIX}{part}{AND}", autoescape=True),
               (audience.startswith(COMBINED_PREFIX)
                & audience.contains(f"{AND}{part}{AND}", autoescape=True)),
               (audience.startswith(COMBINED_PREFIX)
                & audience.endswith(f"{AND}{part}", autoescape=True)))
