"""The bot's 退订 / 订阅 (SPEC 5): opt out of a push category and back in.

`退订` alone lists the categories with the alumnus's current choice; `退订 活动` / `订阅 活动`
change one. Notices about one's own booking, registration or verification are no category and
cannot be turned off, which the list says.
"""

from __future__ import annotations

from handlers.consent.categories import UnknownCategory, find_category
from handlers.consent.preferences import ConsentChannel, choices, is_opted_out, set_opt_out
from handlers.context import Context

ALWAYS = "与您本人有关的通知（预约、报名、身份核验、回复）总会发送，不受退订影响。"


def unsubscribe_command(ctx: Context) -> str:
    """`退订 <类别>`; `退订` alone lists the categories and current choices."""
    return _change(ctx, opted_out=True) if ctx.args else list_choices(ctx)


def subscribe_command(ctx: Context) -> str:
    """`订阅 <类别>`; `订阅` alone lists, as 退订 does."""
    return _change(ctx, opted_out=False) if ctx.args else list_choices(ctx)


def list_choices(ctx: Context) -> str:
    lines = ["推送类别与您当前的选择："]
    for category, row in choices(ctx.session, ctx.user.id):
        state = ("未订阅" if category.opt_in else "已退订") if is_opted_out(row, category) else "接收中"
        lines.append(f"· {category.label}（{category.about}）：{state}")
    lines.append("发送「退订 活动」不再接收某类推送，发送「订阅 活动」恢复接收。"
                 "新闻类（校园新闻、校报、校友通讯、校史）需发送「订阅 校友通讯」等订阅后才会推送。")
    lines.append(ALWAYS)
    return "\n".join(lines)


def _change(ctx: Context, *, opted_out: bool) -> str:
    try:
        category = find_category(ctx.args)
    except UnknownCategory as exc:
        return f"{exc}。发送「退订」查看您当前的选择。"
    changed = set_opt_out(ctx.session, ctx.user.id, category, opted_out,
                          channel=ConsentChannel.BOT, now=ctx.now)
    if opted_out and category.opt_in:
        head = (f"已取消订阅「{category.label}」。" if changed
                else f"您没有订阅「{category.label}」。")
        return f"{head}发送「订阅 {category.label}」可订阅。"
    if opted_out:
        head = (f"已退订「{category.label}」类推送。" if changed
                else f"您之前已退订「{category.label}」类推送。")
        return f"{head}发送「订阅 {category.label}」可恢复接收。\n{ALWAYS}"
    if category.opt_in:
        head = (f"已订阅「{category.label}」：有新的{category.label}发布时会推送给您。" if changed
                else f"您已订阅「{category.label}」。")
        return f"{head}发送「退订 {category.label}」可取消订阅；发送「新闻 {category.label}」查看最近的。"
    head = (f"已恢复接收「{category.label}」类推送。" if changed
            else f"您正在接收「{category.label}」类推送。")
    return f"{head}发送「退订 {category.label}」可不再接收。"
