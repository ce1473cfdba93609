"""The card code: signed for the holder's bindings, good in its minute and the next, void at once
when the holder unbinds or rebinds; what a site's check answers and records."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from handlers.card.codes import card_key, issue_code
from handlers.card.holder import card_holder
from handlers.card.sites import site_for_key
from handlers.card.verify import judge_code, verify_card
from handlers.directory.binding import unbind
from models import Alumnus, AuditEntry, WechatUser
from tests.card.support import NOW, add_holder, add_site, key_of

MINUTE = dt.timedelta(minutes=1)


def code_at(runtime, user_id: int, when: dt.datetime = NOW, key: bytes | None = None) -> str:
    with runtime.sessions() as session:
        holder = card_holder(session, user_id, "示例大学")
        return issue_code(key or key_of(runtime), user_id, holder.stamp, when).code


def judge(runtime, code: str, when: dt.datetime = NOW):
    with runtime.sessions() as session:
        return judge_code(session, key_of(runtime), code, when, "示例大学")


def test_a_fresh_code_is_valid_and_names_the_holder_without_private_fields(runtime):
    user_id = add_holder(runtime)
    result = judge(runtime, code_at(runtime, user_id))
    assert result.valid and result.reason == "valid"
    assert result.holder.public() == {"school": "示例大学", "name": "李雷", "degrees": [
        {"degree": "本科", "graduation_year": 2016, "college": "计算机学院"}]}
    assert "13812345678" not in repr(result) and "lilei@example.com" not in repr(result)
    assert "2016010101" not in repr(result.holder.public())


def test_a_code_passes_in_its_minute_and_the_next_then_expires(runtime):
    user_id = add_holder(runtime)
    code = code_at(runtime, user_id)
    start = NOW.replace(second=0)
    assert judge(runtime, code, start).valid
    assert judge(runtime, code, start + MINUTE + dt.timedelta(seconds=59)).valid
    late = judge(runtime, code, start + 2 * MINUTE)
    assert (late.valid, late.reason) == (False, "expired") and "截图无效" in late.message
    early = judge(runtime, code, start - dt.timedelta(seconds=1))
    assert (early.valid, early.reason) == (False, "future")


def test_the_code_changes_every_minute(runtime):
    user_id = add_holder(runtime)
    assert code_at(runtime, user_id) != code_at(runtime, user_id, NOW + MINUTE)


def _swap_mac(code: str) -> str:
    parts = code.split(".")
    parts[3] = parts[3][:-1] + ("A" if parts[3][-1] != "A" else "B")
    return ".".join(parts)


@pytest.mark.parametrize("tamper", [
    _swap_mac,                                                   # the MAC altered
    lambda c: c.replace(".", ".9", 1),                           # another user's id, same MAC
    lambda c: "AC1.1.29400000.AAAAAAAAAAAAAAAA.AAAAAAAA",        # made up
])
def test_an_altered_or_made_up_code_is_invalid(runtime, tamper):
    user_id = add_holder(runtime)
    add_holder(runtime, "o-other", "2016010102", "韩梅梅")
    result = judge(runtime, tamper(code_at(runtime, user_id)))
    assert (result.valid, result.reason, result.holder) == (False, "invalid", None)


def test_a_code_signed_with_another_key_is_invalid(runtime):
    user_id = add_holder(runtime)
    other = card_key(b"another-install-pass-key")
    assert judge(runtime, code_at(runtime, user_id, key=other)).reason == "invalid"


@pytest.mark.parametrize("text", ["", "hello", "RP1.1.20261207.D.AAAAAAAAAAAAAAAA", "AC1.x.y.z",
                                  "AC1.1.29400000.AAAAAAAAAAAAAAAA"])
def test_something_else_scanned_is_not_a_card_code(runtime, text):
    assert judge(runtime, text).reason == "malformed"


def test_a_typed_code_in_lower_case_with_spaces_still_passes(runtime):
    user_id = add_holder(runtime)
    code = code_at(runtime, user_id)
    assert judge(runtime, " " + code.lower().replace(".", "。", 1) + " ").valid


def test_unbinding_revokes_the_code_already_shown_at_once(runtime):
    user_id = add_holder(runtime)
    code = code_at(runtime, user_id)
    with runtime.sessions.begin() as session:
        unbind(session, session.get(WechatUser, user_id), now=NOW, channel="bot")
    result = judge(runtime, code)
    assert (result.valid, result.reason) == (False, "revoked") and "解除" in result.message


def test_binding_again_does_not_revive_the_old_codes(runtime):
    user_id = add_holder(runtime)
    code = code_at(runtime, user_id)
    with runtime.sessions.begin() as session:
        record = session.scalars(select(Alumnus).where(Alumnus.wechat_user_id == user_id)).one()
        record.bound_at = NOW + dt.timedelta(seconds=5)  # unbound and bound again: a new binding
    assert judge(runtime, code).reason == "revoked"
    assert judge(runtime, code_at(runtime, user_id)).valid


def test_a_card_holds_every_bound_degree_and_unbinding_one_voids_the_codes(runtime):
    user_id = add_holder(runtime)
    with runtime.sessions.begin() as session:
        from tests.reunion.support import add_classmate
        masters = add_classmate(session, None, "2019110101", "李雷", year=2019, college="软件学院")
        masters.degree, masters.wechat_user_id, masters.bound_at = "硕士", user_id, NOW
    code = code_at(runtime, user_id)
    result = judge(runtime, code)
    assert [d["degree"] for d in result.holder.public()["degrees"]] == ["本科", "硕士"]
    with runtime.sessions.begin() as session:
        unbind(session, session.get(WechatUser, user_id), now=NOW, channel="api",
               student_id="2019110101")
    assert judge(runtime, code).reason == "revoked"


def test_a_check_is_audited_as_the_site_and_counted(runtime):
    user_id = add_holder(runtime)
    key = add_site(runtime, "图书馆", "library")
    code = code_at(runtime, user_id)
    for _ in range(2):
        with runtime.sessions.begin() as session:
            site = site_for_key(session, key)
            verify_card(session, key=key_of(runtime), code=code, site=site, now=NOW,
                        school="示例大学", store=runtime.store, prefix=runtime.keys("card-test", ""),
                        ip="127.0.0.9")
    with runtime.sessions() as session:
        entries = session.scalars(select(AuditEntry).where(AuditEntry.action == "card_verified")
                                  .order_by(AuditEntry.id)).all()
        assert [e.actor for e in entries] == ["核验点 图书馆"] * 2
        assert [e.detail for e in entries] == ["有效 · 首次核验", "有效 · 重复核验"]
        assert "李雷" in entries[0].target and "2016010101" not in entries[0].target
        assert entries[0].ip == "127.0.0.9"
        assert site_for_key(session, key).checks == 2
