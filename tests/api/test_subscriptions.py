"""POST /me/subscriptions records the consents the mini-program collected, one per template."""

from __future__ import annotations

from sqlalchemy import select

from models.push import SubscribeConsent


def consents(live) -> dict[str, int]:
    with live.runtime.sessions() as session:
        rows = session.scalars(select(SubscribeConsent))
        return {row.template_id: row.remaining for row in rows}


def test_consents_add_up_per_template(live):
    token = live.login(live.person())
    first = live.call("POST", "/me/subscriptions", token, json={"template_ids": ["tplA", "tplB", "tplA"]})
    assert first.status_code == 200 and first.json() == {"recorded": ["tplA", "tplB"]}
    live.call("POST", "/me/subscriptions", token, json={"template_ids": ["tplA"]})
    assert consents(live) == {"tplA": 2, "tplB": 1}


def test_an_unbound_user_may_consent_too(live):
    token = live.login(live.person())  # reminders reach people before they bind, too
    assert live.call("POST", "/me/subscriptions", token, json={"template_ids": ["t1"]}).status_code == 200


def test_template_ids_are_validated(live):
    token = live.login(live.person())
    for body in ({}, {"template_ids": []}, {"template_ids": "tplA"}, {"template_ids": ["a b"]},
                 {"template_ids": ["x"] * 21}, {"template_ids": [""]}):
        answer = live.call("POST", "/me/subscriptions", token, json=body)
        assert answer.status_code == 422, body
    assert consents(live) == {}


def test_consents_need_a_login(live):
    answer = live.call("POST", "/me/subscriptions", json={"template_ids": ["t1"]})
    assert answer.status_code == 401
