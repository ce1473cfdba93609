"""`alumni-bot broadcast` and `alumni-bot push-status`, as an operator runs them."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from models.push import Delivery, Push
from tests.push.support import add_user, bind
from wechat_bot.commands.push import broadcast, push_status


def _invoke(app, command, *args):
    return app.test_cli_runner().invoke(command, list(args))


def _people(runtime):
    with runtime.sessions.begin() as session:
        users = [add_user(session, now=datetime.now(UTC)) for _ in range(3)]
        bind(session, users[0], 2016)
        bind(session, users[1], 2016)
        bind(session, users[2], 2006)


def test_broadcast_queues_a_push_and_prints_its_id_and_count(app, runtime):
    _people(runtime)
    result = _invoke(app, broadcast, "--text", "校庆日快乐", "--audience", "year:2016")
    assert result.exit_code == 0, result.output
    push_id, count = map(int, re.search(r"推送 #(\d+) 已排队：(\d+) 人", result.output).groups())
    assert count == 2
    assert "2016 届校友" in result.output and "立即发送" in result.output
    with runtime.sessions() as session:
        push = session.get(Push, push_id)
        assert (push.text, push.kind, push.created_by) == ("校庆日快乐", "broadcast", "cli")


def test_dry_run_counts_and_queues_nothing(app, runtime):
    _people(runtime)
    result = _invoke(app, broadcast, "--text", "x", "--audience", "bound", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "3 人" in result.output and "未排队" in result.output
    with runtime.sessions() as session:
        assert session.scalars(select(Push)).all() == []


def test_at_is_local_time_in_the_apps_zone(app, runtime):
    _people(runtime)
    local = (datetime.now(runtime.config.zone) + timedelta(days=2)).replace(second=0,
                                                                              microsecond=0)
    result = _invoke(app, broadcast, "--text", "提醒", "--audience", "all",
                     "--at", local.strftime("%Y-%m-%d %H:%M"))
    assert result.exit_code == 0, result.output
    assert "群发" in result.output and local.strftime("定时 %Y-%m-%d %H:%M（北京时间）") in result.output
    with runtime.sessions() as session:
        assert session.scalars(select(Push.not_before)).one() == local.astimezone(UTC)


def test_bad_options_are_refused_in_one_chinese_line(app, runtime):
    for args, words in ((["--audience", "everyone"], "未知的推送对象"),
                        (["--at", "tomorrow"], "YYYY-MM-DD HH:MM"),
                        (["--at", "2020-01-01 08:00"], "已经过去")):
        result = _invoke(app, broadcast, "--text", "x", *args)
        assert result.exit_code == 2 and words in result.output, result.output


def test_push_status_counts_by_state_and_errcode(app, runtime):
    _people(runtime)
    _invoke(app, broadcast, "--text", "通知", "--audience", "bound")
    with runtime.sessions.begin() as session:
        first, second, _third = session.scalars(select(Delivery).order_by(Delivery.id))
        session.execute(update(Delivery).where(Delivery.id == first.id)
                        .values(status="failed", errcode=43004))
        session.execute(update(Delivery).where(Delivery.id == second.id).values(status="sent"))
        push_id = first.push_id
    result = _invoke(app, push_status, str(push_id))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "（北京时间）起发送" in lines[0]  # the zone its times are in (app.timezone)
    assert "待发送：1" in lines and "已发送：1" in lines and "失败：1" in lines
    assert "  错误码 43004（用户未关注公众号）：1" in lines and "无法送达：0" in lines
    missing = _invoke(app, push_status, "999")
    assert missing.exit_code == 1 and "没有编号为 999 的推送" in missing.output


def test_the_commands_are_registered_on_alumni_bot():
    from wechat_bot.cli import main

    assert {"broadcast", "push-status"} <= set(main.commands)


def test_push_status_of_a_mass_send_tells_what_wechat_was_given(app, runtime):
    _people(runtime)
    _invoke(app, broadcast, "--text", "新年快乐", "--audience", "all")
    with runtime.sessions.begin() as session:
        row = session.scalars(select(Delivery)).one()
        row.status, row.msgid = "sent", "1000001"
    result = _invoke(app, push_status, str(row.push_id))
    assert result.exit_code == 0, result.output
    assert "群发：已提交微信（msg_id 1000001）；按关注者计约 3 人" in result.output


def test_broadcast_to_a_chapter_counts_its_members(app, runtime):
    from models.chapter import Chapter, ChapterMember

    with runtime.sessions.begin() as session:
        users = [add_user(session, now=datetime.now(UTC)) for _ in range(2)]
        chapter = Chapter(name="苏州校友会", kind="地区", city="苏州", created_at=datetime.now(UTC),
                          updated_at=datetime.now(UTC))
        session.add(chapter)
        session.flush()
        session.add(ChapterMember(chapter_id=chapter.id, wechat_user_id=users[0].id,
                                  joined_at=datetime.now(UTC)))
    result = _invoke(app, broadcast, "--text", "x", "--audience", "chapter:苏州", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "收件人：1 人（苏州校友会成员）" in result.output
    refused = _invoke(app, broadcast, "--text", "x", "--audience", "chapter:杭州")
    assert refused.exit_code != 0 and "没有名为「杭州」的分会" in refused.output
