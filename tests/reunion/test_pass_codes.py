"""Pass codes (handlers.reunion.passes): signing, the minute window, replay, another day, forgery."""

from __future__ import annotations

import datetime as dt

import pytest

from handlers.reunion.passes import (
    Kind,
    PassRefused,
    Refusal,
    issue_day_code,
    issue_minute_code,
    pass_key,
    read_code,
)

KEY = pass_key("test-secret")
DAY = dt.date(2026, 4, 11)
SHANGHAI = dt.timezone(dt.timedelta(hours=8))
# 09:30:00 local on the visit day, exactly on a minute boundary
AT = dt.datetime(2026, 4, 11, 9, 30, tzinfo=SHANGHAI)


def refusal(code: str, now: dt.datetime, today: dt.date = DAY, key: bytes = KEY) -> PassRefused:
    with pytest.raises(PassRefused) as caught:
        read_code(key, code, now, today)
    return caught.value


def test_a_minute_code_reads_back_as_its_member_and_day():
    issued = issue_minute_code(KEY, 42, DAY, AT)
    assert issued.code.startswith("RP1.42.20260411.")
    claim = read_code(KEY, issued.code, AT, DAY)
    assert (claim.member_id, claim.day, claim.kind) == (42, DAY, Kind.MINUTE)


def test_the_code_changes_every_minute_and_expires_at_the_end_of_the_next():
    first = issue_minute_code(KEY, 42, DAY, AT)
    second = issue_minute_code(KEY, 42, DAY, AT + dt.timedelta(seconds=59))
    third = issue_minute_code(KEY, 42, DAY, AT + dt.timedelta(seconds=60))
    assert first.code == second.code != third.code
    assert first.refresh_at == AT + dt.timedelta(minutes=1)
    assert first.expires_at == AT + dt.timedelta(minutes=2)


def test_the_previous_minute_passes_but_not_one_second_later():
    code = issue_minute_code(KEY, 42, DAY, AT).code
    assert read_code(KEY, code, AT + dt.timedelta(seconds=119.9), DAY).member_id == 42
    expired = refusal(code, AT + dt.timedelta(seconds=120))
    assert expired.refusal == Refusal.EXPIRED
    assert "已过期" in expired.text


def test_an_old_code_replayed_is_refused_as_expired():
    old = issue_minute_code(KEY, 42, DAY, AT - dt.timedelta(minutes=10)).code
    assert refusal(old, AT).refusal == Refusal.EXPIRED


def test_a_code_from_the_future_is_refused():
    ahead = issue_minute_code(KEY, 42, DAY, AT + dt.timedelta(minutes=1)).code
    assert refusal(ahead, AT + dt.timedelta(seconds=59)).refusal == Refusal.FUTURE


def test_another_days_pass_names_both_days():
    code = issue_day_code(KEY, 42, DAY, SHANGHAI).code
    refused = refusal(code, AT + dt.timedelta(days=1), dt.date(2026, 4, 12))
    assert refused.refusal == Refusal.OTHER_DAY
    assert refused.text == "这是 2026-04-11 的返校码，今天是 2026-04-12，不能使用。"


def test_a_day_code_holds_all_day():
    issued = issue_day_code(KEY, 42, DAY, SHANGHAI)
    assert issued.expires_at == dt.datetime(2026, 4, 12, tzinfo=SHANGHAI)
    for hour in (0, 12, 23):
        claim = read_code(KEY, issued.code, dt.datetime(2026, 4, 11, hour, 59, tzinfo=SHANGHAI), DAY)
        assert claim.kind == Kind.DAY


@pytest.mark.parametrize("change", [
    lambda c: c.replace("RP1.42.", "RP1.43."),           # another member
    lambda c: c.replace(".20260411.", ".20260412."),     # another day
    lambda c: c[:-1] + ("A" if c[-1] != "A" else "B"),   # a mac character
    lambda c: c[:-3],                                    # cut short
    lambda c: "hello",
    lambda c: "",
])
def test_a_forged_or_garbled_code_is_refused(change):
    code = issue_minute_code(KEY, 42, DAY, AT).code
    refused = refusal(change(code), AT)
    assert refused.refusal == Refusal.FORGED
    assert "无法识别" in refused.text


def test_a_code_signed_with_another_secret_is_forged():
    code = issue_minute_code(pass_key("another-secret"), 42, DAY, AT).code
    assert refusal(code, AT).refusal == Refusal.FORGED


def test_a_typed_code_in_lower_case_with_spaces_reads():
    code = issue_day_code(KEY, 42, DAY, SHANGHAI).code
    typed = " " + code.lower().replace(".", " . ", 1) + "\n"
    assert read_code(KEY, typed, AT, DAY).member_id == 42


def test_the_pass_key_is_not_the_secret():
    assert KEY != b"test-secret" and len(KEY) == 32
    with pytest.raises(ValueError):
        pass_key("")
