"""The bot's circle commands: 校友圈, 加入校友圈, 退出校友圈, 创建校友圈, 圈成员, 圈通知, 移出圈成员.

The routing table (wechat_bot/conversation/routes.py) points here; each function takes a Context
and returns the reply text. The rules live in membership, proposals, roster and notices.
"""

from __future__ import annotations

import re

from handlers.circles import texts
from handlers.circles.membership import (
    CircleRefused,
    active_circle,
    join_circle,
    leave_circle,
    my_circles,
    open_circles,
    remove_member,
)
from handlers.circles.notices import post_notice
from handlers.circles.proposals import propose_circle
from handlers.circles.roster import find_member, visible_members
from handlers.circles.settings import CircleSettings
from handlers.context import Context
from handlers.directory.binding import bound_records

REMOVED_BY = "circles:removed"
_NUMBER = re.compile(r"^[#＃]?(\d{1,9})(?:\s*(.*))?$", re.S)  # \d takes full-width digits too
MAX_REPLY_BYTES = 2000   # WeChat cuts a passive text reply at 2,048 bytes


def _settings(ctx: Context) -> CircleSettings:
    return ctx.settings.circles


def overview_command(ctx: Context) -> str:
    """`校友圈`: my circles (my class's is there by itself), those I may join, and how."""
    if not bound_records(ctx.session, ctx.user):
        return f"{texts.NOT_BOUND}\n\n{texts.HOW_TO}"
    mine = my_circles(ctx.session, ctx.user, now=ctx.now)
    open_ones = open_circles(ctx.session, ctx.user, limit=8, now=ctx.now)
    while True:  # fit one text reply: fewer circles to join first, then fewer of one's own
        text = texts.overview(mine, open_ones)
        if len(text.encode()) <= MAX_REPLY_BYTES or not (open_ones or len(mine) > 1):
            return text
        if open_ones:
            open_ones.pop()
        else:
            mine.pop()


def join_command(ctx: Context) -> str:
    """`加入校友圈 <编号>`."""
    number, _ = _number(ctx.args)
    if number is None:
        return texts.JOIN_USAGE
    try:
        circle = join_circle(ctx.session, ctx.user, number, now=ctx.now, channel="bot")
    except CircleRefused as refused:
        return refused.message
    return texts.JOINED.format(name=circle.name, number=circle.id)


def leave_command(ctx: Context) -> str:
    """`退出校友圈 <编号>`."""
    number, _ = _number(ctx.args)
    if number is None:
        return texts.LEAVE_USAGE
    try:
        circle = leave_circle(ctx.session, ctx.user, number, now=ctx.now)
    except CircleRefused as refused:
        return refused.message
    return texts.LEFT.format(name=circle.name, number=circle.id)


def propose_command(ctx: Context) -> str:
    """`创建校友圈 <名称> [简介]`: a proposal staff decide on."""
    name, _, intro = ctx.args.strip().partition(" ")
    if not name:
        return texts.PROPOSE_USAGE
    try:
        circle = propose_circle(ctx.session, ctx.user, name, intro, now=ctx.now, settings=_settings(ctx))
    except CircleRefused as refused:
        return refused.message
    return texts.PROPOSED.format(name=circle.name, number=circle.id)


def members_command(ctx: Context) -> str:
    """`圈成员 <编号>`: the members I may see, as a search would show them."""
    number, _ = _number(ctx.args)
    if number is None:
        return texts.MEMBERS_USAGE
    try:
        circle = active_circle(ctx.session, number)
        found = visible_members(ctx.session, circle, ctx.user.id)
    except CircleRefused as refused:
        return refused.message
    shown = found.shown[:_settings(ctx).members_shown]
    lines = [texts.member_line(i + 1, m) for i, m in enumerate(shown)]
    while True:
        text = texts.member_page(circle.name, lines, len(found.shown), found.unlisted)
        if len(text.encode()) <= MAX_REPLY_BYTES or len(lines) <= 1:
            return text
        lines.pop()


def notice_command(ctx: Context) -> str:
    """`圈通知 <编号> <内容>` (circle admins): the text as typed, punctuation kept."""
    number, text = _number(_raw_args(ctx, "圈通知") or ctx.args)
    text = (text or "").lstrip("，,:：、 　")   # 圈通知3：周六见
    if number is None or not (text or "").strip():
        return texts.NOTICE_USAGE
    try:
        posted = post_notice(ctx.session, ctx.user, number, text, now=ctx.now,
                             settings=_settings(ctx), notify=ctx.notify)
    except CircleRefused as refused:
        return refused.message
    return texts.NOTICE_SENT.format(name=posted.circle.name, count=posted.recipients)


def remove_command(ctx: Context) -> str:
    """`移出圈成员 <编号> <姓名> [毕业年份]` (circle admins; only members they can see)."""
    number, rest = _number(ctx.args)
    words = (rest or "").split()
    if number is None or not words:
        return texts.REMOVE_USAGE
    year = int(words[1]) if len(words) > 1 and words[1].isdigit() and len(words[1]) == 4 else None
    try:
        circle = active_circle(ctx.session, number)
        visible = visible_members(ctx.session, circle, ctx.user.id).shown
        target = find_member(visible, words[0], year)
        remove_member(ctx.session, circle, target.user_id, now=ctx.now, by_user_id=ctx.user.id)
    except CircleRefused as refused:
        return refused.message
    if ctx.notify is not None:
        ctx.notify(ctx.session, [target.user_id], texts.REMOVED_NOTICE.format(name=circle.name),
                   ctx.now, created_by=REMOVED_BY)
    return texts.REMOVED.format(member=target.name, name=circle.name)


def _number(args: str) -> tuple[int | None, str | None]:
    """"3 周六见" → (3, "周六见"); no leading number → (None, None)."""
    match = _NUMBER.match((args or "").strip())
    if not match:
        return None, None
    return int(match.group(1)), match.group(2)


def _raw_args(ctx: Context, word: str) -> str | None:
    """What followed `word` in the message as sent (the routing normalises punctuation away)."""
    raw = (ctx.message.content or "").strip()
    if not raw.startswith(word):
        return None
    return raw[len(word):].strip()
