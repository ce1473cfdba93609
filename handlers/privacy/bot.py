"""The bot's 我的数据 and 注销 (a two-step dialog: 注销, then 确认注销 or 取消)."""

from __future__ import annotations

from enum import StrEnum

from handlers.context import Context
from handlers.dialog import Dialog, step
from handlers.privacy import texts
from handlers.privacy.erase import erase_account
from handlers.privacy.export import my_data, summary

CONFIRM_WORDS = frozenset({"确认注销", "确定注销"})


class EraseStep(StrEnum):  # the values are what Redis keeps: never rename a value
    CONFIRM = "confirm"


def my_data_command(ctx: Context) -> str:
    """我的数据: counts per kind and a short-lived link to the whole export as JSON."""
    minutes = ctx.settings.privacy.export_link_minutes
    counts = summary(my_data(ctx.session, ctx.user, ctx.now))
    link = ctx.export_link(ctx.user.id, ctx.now) if ctx.export_link else None
    return texts.my_data_reply(counts, link, minutes)


def erase_command(ctx: Context) -> str:
    """注销: say what goes and what stays, and ask for 确认注销."""
    ctx.dialog.start(ERASE_DIALOG, EraseStep.CONFIRM)
    return texts.ASK_CONFIRM


def confirm_step(ctx: Context) -> str:
    answer = "".join(ctx.args.split())
    if answer not in CONFIRM_WORDS:
        if answer in {"不", "否", "算了", "不注销", "放弃"}:
            ctx.dialog.end()
            return texts.CANCELLED_BY_USER
        return texts.ASK_AGAIN
    ctx.dialog.end()
    erased = erase_account(ctx.session, ctx.user, now=ctx.now, settings=ctx.settings, store=ctx.store,
                           notify=ctx.notify, channel="bot")
    return texts.erased_reply(erased.records_unbound, erased.bookings, erased.registrations_cancelled)


ERASE_DIALOG = Dialog("account-erase", {EraseStep.CONFIRM: step(confirm_step)})
