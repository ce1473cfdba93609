"""The circle:<id> push audience: an interest circle's members, a class circle's whole class on
WeChat less those who left, nobody who unbound, and a refusal for a circle that is not open."""

from __future__ import annotations

import pytest

from handlers.circles.membership import ensure_class_circle, leave_circle
from handlers.circles.proposals import propose_circle
from handlers.directory.binding import unbind
from handlers.settings import Settings
from scheduler.audiences import AudienceError, audience_label
from scheduler.outbox import count_recipients, queue_push
from tests.circles.support import NOW, alumnus, interest_circle


def test_a_class_circle_reaches_its_class_less_who_left(app, runtime):
    with runtime.sessions.begin() as session:
        alumnus(session, "李雷")
        leave = alumnus(session, "韩梅梅")
        alumnus(session, "王芳", college="外国语学院")
        alumnus(session, "李四", year=2015)
        circle = ensure_class_circle(session, "计算机学院", 2016, now=NOW)
        assert count_recipients(session, f"circle:{circle.id}") == 2
        leave_circle(session, leave, circle.id, now=NOW)
        push = queue_push(session, text="班级聚会", audience=f"circle:{circle.id}", kind="broadcast", now=NOW)
        assert (push.audience, push.recipient_count) == (f"circle:{circle.id}", 1)
        assert audience_label(session, f"circle:{circle.id}") == f"校友圈 #{circle.id} 的成员"


def test_an_interest_circle_reaches_its_members_who_are_still_bound(app, runtime):
    with runtime.sessions.begin() as session:
        admin, member = alumnus(session, "李雷"), alumnus(session, "韩梅梅")
        alumnus(session, "路人")
        circle = interest_circle(session, admin, "羽毛球", member)
        assert count_recipients(session, f"circle:{circle.id}") == 2
        unbind(session, member, now=NOW, channel="bot")
        assert count_recipients(session, f"circle:{circle.id}") == 1


@pytest.mark.parametrize("spec", ["circle:abc", "circle:999", "circle:PENDING"])
def test_a_circle_that_is_not_open_is_refused(app, runtime, spec):
    with runtime.sessions.begin() as session:
        pending = propose_circle(session, alumnus(session, "李雷"), "摄影", None, now=NOW,
                                 settings=Settings().circles)
        with pytest.raises(AudienceError):
            count_recipients(session, spec.replace("PENDING", str(pending.id)))

