"""Following and unfollowing the account, and the location WeChat reports on entering the chat."""

from __future__ import annotations

from handlers.context import NO_REPLY, Context, Reply


def welcome_text(account_name: str) -> str:
    return (
        f"欢迎关注{account_name}！\n\n"
        "请先认证校友身份：发送「绑定 姓名 学号」，例如「绑定 张伟 2012010101」，"
        "或只发「绑定」按提示填写，也可点击菜单「校友 → 身份绑定」。\n\n"
        "认证后即可查找校友、预约秩年返校、报名活动、查找身边的校友分会。发送「帮助」查看全部指令。"
    )


def on_subscribe(ctx: Context) -> str:
    ctx.user.subscribe(ctx.now)
    return welcome_text(ctx.settings.account_name)


def on_unsubscribe(ctx: Context) -> Reply:
    # WeChat delivers nothing to a user who has just left; only remember it so pushes skip them.
    ctx.user.unsubscribe(ctx.now)
    return NO_REPLY


def on_location_report(ctx: Context) -> Reply:
    """LOCATION events arrive silently when the user opens the chat; store, answer nothing."""
    message = ctx.message
    if message.latitude is not None and message.longitude is not None:
        ctx.user.report_location(message.latitude, message.longitude, ctx.now)
    return NO_REPLY
