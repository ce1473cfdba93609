"""Promoting by hand takes seats through the event's guarded counter: eight staff promoting eight
different people at once into two free seats confirm exactly two, and the counter ends at the
seats (each attempt in its own session and connection, all released together)."""

from __future__ import annotations

import threading
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from handlers.events import lifecycle
from models.event import Event, Registration, RegistrationStatus
from tests.admin.support import add_alumnus
from tests.events.support import NOW, add_event, add_registration
from wechat_bot.notify import notify_users

R = RegistrationStatus


def test_simultaneous_promotions_never_overfill_the_event(runtime):
    with runtime.sessions.begin() as session:
        people = [add_alumnus(session, f"校友{i}", bound_at=NOW) for i in range(11)]
        event = add_event(session, "校友午餐沙龙", seats=5)
        for p in people[:3]:
            add_registration(session, event, p.wechat_user_id)
        waiting = [add_registration(session, event, p.wechat_user_id, status=R.WAITLISTED).id
                   for p in people[3:]]
        event_id = event.id
    barrier = threading.Barrier(len(waiting))
    outcomes: list[str] = []

    def promote(registration_id: int) -> None:
        barrier.wait()
        try:
            with runtime.sessions.begin() as session:
                lifecycle.promote(session, session.get(Event, event_id),
                                  session.get(Registration, registration_id), "嘉宾", now=NOW,
                                  zone=ZoneInfo("Asia/Shanghai"), notify=notify_users)
            outcomes.append("ok")
        except lifecycle.Refused as refused:
            outcomes.append(str(refused))

    threads = [threading.Thread(target=promote, args=(r,)) for r in waiting]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert outcomes.count("ok") == 2
    assert all("名额已满" in o for o in outcomes if o != "ok")
    with runtime.sessions() as session:
        assert session.get(Event, event_id).seats_taken == 5
        assert session.scalar(select(func.count()).select_from(Registration).where(
            Registration.event_id == event_id, Registration.status == R.CONFIRMED)) == 5
