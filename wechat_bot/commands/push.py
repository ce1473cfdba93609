"""`alumni-bot broadcast` and `alumni-bot push-status`: queue a push from the shell, as the admin
composer does, and watch how its deliveries went (SPEC 2)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from handlers.consent import categories
from handlers.push_reports import mass_status_text, template_failure
from models.push import Delivery, DeliveryStatus
from scheduler.audiences import AudienceError, audience_label, describe_audience
from scheduler.outbox import count_recipients, queue_push
from scheduler.progress import push_progress
from wechat_bot import wechat_errors
from wechat_bot.runtime import current_runtime

# What staff should read next to an errcode; a row failed without one ran out of retries.
ERRCODE_MEANINGS = {None: "重试次数用完", **wechat_errors.ERRCODE_MEANINGS}
PAST_TOLERANCE = timedelta(minutes=1)
# WeChat's counts in a mass report (MASSSENDJOBFINISH), in its order.
MASS_COUNTS = (("total", "粉丝总数"), ("filter", "过滤后"), ("sent", "发送成功"), ("error", "发送失败"))
MASS_STATES = {"pending": "待发送", "claimed": "待发送", "sending": "发送中", "sent": "已提交微信",
               "failed": "失败", "unknown": "不确定是否送达", "unreachable": "无法送达",
               "cancelled": "已取消"}


# Time zones staff know by another name; any other is shown as its IANA name.
ZONE_NAMES = {"Asia/Shanghai": "北京时间", "Asia/Chongqing": "北京时间", "Asia/Harbin": "北京时间",
              "Asia/Hong_Kong": "香港时间", "Asia/Taipei": "台北时间", "UTC": "UTC"}


def zone_label(timezone: str) -> str:
    """How push-status and broadcast name the zone their times are in (app.timezone)."""
    return ZONE_NAMES.get(timezone, f"{timezone} 时间")


def _parse_at(value: str | None, zone, now: datetime) -> datetime | None:
    if value is None:
        return None
    try:
        at = datetime.strptime(value.strip(), "%Y-%m-%d %H:%M").replace(tzinfo=zone)
    except ValueError:
        raise click.BadParameter(f"{value!r} 不是 YYYY-MM-DD HH:MM 格式的时间", param_hint="--at") from None
    if at < now - PAST_TOLERANCE:
        raise click.BadParameter(f"{value} 已经过去了", param_hint="--at")
    return at


@click.command("broadcast")
@click.option("--text", required=True, help="推送内容")
@click.option("--audience", default="all", show_default=True,
              help="推送对象：all（全部关注者）、bound（已绑定校友）、year:2016（某届，也可 "
                   "year:2014,2016 或 year:2010-2015）、college:计算机学院、city:南京、"
                   "chapter:北京校友会（某分会成员）；用 & 组合表示同时满足，例如 "
                   "'year:2016&college:计算机学院'")
@click.option("--category", "category_word", default=categories.BY_KEY[categories.DEFAULT].label,
              show_default=True,
              help=f"推送类别（退订了这一类的校友不会收到）：{categories.labels()}")
@click.option("--at", "at_text", metavar="'YYYY-MM-DD HH:MM'",
              help="定时发送（app.timezone 的当地时间）；不填则立即发送")
@click.option("--dry-run", is_flag=True, help="只统计人数，不排队")
@with_appcontext
def broadcast(text: str, audience: str, category_word: str, at_text: str | None,
              dry_run: bool) -> None:
    """排队一条群发推送（与管理后台的撰写相同）：打印推送编号和收件人数。"""
    runtime = current_runtime()
    try:
        category = categories.find_category(category_word)
    except categories.UnknownCategory as exc:
        raise click.BadParameter(str(exc), param_hint="--category") from None
    now = datetime.now(UTC)
    at = _parse_at(at_text, runtime.config.zone, now)
    if not text.strip():
        raise click.BadParameter("推送内容不能为空", param_hint="--text")
    try:
        with runtime.sessions.begin() as session:
            if dry_run:
                count = count_recipients(session, audience, category.key)
                click.echo(f"收件人：{count} 人（{audience_label(session, audience)}）；"
                           f"类别 {category.label}；演练，未排队。")
                return
            push = queue_push(session, text=text, audience=audience, kind="broadcast", at=at,
                              created_by="cli", category=category.key, now=now)
            push_id, count, label = push.id, push.recipient_count, describe_audience(push.audience)
            mass = push.mass
    except AudienceError as exc:
        raise click.BadParameter(str(exc), param_hint="--audience") from None
    when = f"定时 {at.strftime('%Y-%m-%d %H:%M')}（{zone_label(runtime.config.app.timezone)}）" \
        if at else "立即发送"
    how = "，群发" if mass else ""
    click.echo(f"推送 #{push_id} 已排队：{count} 人（{label}{how}，{category.label}），{when}。")


@click.command("push-status")
@click.argument("push_id", type=int)
@with_appcontext
def push_status(push_id: int) -> None:
    """一条推送的发送情况：待发送、已发送（微信确认）、失败（按错误码或微信回报）、无法送达、不确定是否送达；
    群发则为微信回报的人数。"""
    runtime = current_runtime()
    zone = runtime.config.zone
    with runtime.sessions() as session:
        progress = push_progress(session, push_id)
    if progress is None:
        raise click.ClickException(f"没有编号为 {push_id} 的推送")
    push = progress.push
    start = (f"{push.not_before.astimezone(zone).strftime('%Y-%m-%d %H:%M')}"
             f"（{zone_label(runtime.config.app.timezone)}）")
    kind = "群发" if push.mass else f"{push.recipient_count} 人"
    click.echo(f"推送 #{push.id}：{describe_audience(push.audience)}（{kind}，"
               f"{categories.label_of(push.category)}），{start}起发送")
    click.echo(f"内容：{push.text}")
    if push.mass:  # one mass send: WeChat counts the followers it reached, not us
        with runtime.sessions() as session:
            row = session.scalars(select(Delivery).where(Delivery.push_id == push.id)).one()
        _echo_mass(push, row)
        return
    click.echo(f"待发送：{progress.pending + progress.sending}")
    click.echo(f"已发送：{progress.sent}")
    if progress.confirmed or progress.awaiting_report:  # template messages: WeChat reports back
        click.echo(f"  微信确认送达：{progress.confirmed}")
        click.echo(f"  等待微信回报：{progress.awaiting_report}")
    failed = sum(progress.failed.values()) + sum(progress.reported_failed.values())
    click.echo(f"失败：{failed}")
    for errcode, count in sorted(progress.failed.items(), key=lambda item: -item[1]):
        meaning = ERRCODE_MEANINGS.get(errcode, "")
        code = "无错误码" if errcode is None else f"错误码 {errcode}"
        click.echo(f"  {code}{'（' + meaning + '）' if meaning else ''}：{count}")
    for status, count in sorted(progress.reported_failed.items(),
                                key=lambda item: (-item[1], item[0])):
        click.echo(f"  微信回报{template_failure(status)}（{status}）：{count}")
    click.echo(f"无法送达：{progress.unreachable}")
    if progress.cancelled:
        click.echo(f"已取消：{progress.cancelled}")
    if progress.unknown:
        click.echo(f"不确定是否送达：{progress.unknown}（可能已送达，不会自动重发；"
                   f"模板消息等待微信回报）")


def _echo_mass(push, row: Delivery) -> None:
    state = MASS_STATES.get(row.status, row.status)
    extra = f"（msg_id {row.msgid}）" if row.msgid else (
        f"（错误码 {row.errcode}）" if row.errcode is not None else "")
    click.echo(f"群发：{state}{extra}；按关注者计约 {push.recipient_count} 人")
    if row.report is None:
        if row.status == DeliveryStatus.SENT:
            click.echo("等待微信回报")
        return
    click.echo(f"微信回报：{mass_status_text(row.report)}")
    counts = row.report_counts or {}
    for key, label in MASS_COUNTS:
        value = counts.get(key)
        click.echo(f"  {label}：{'—' if value is None else value}")
