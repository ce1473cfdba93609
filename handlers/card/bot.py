"""`校友卡`: the bound alumnus's card as an image in the chat.

The image carries no code: the bot cannot redraw a picture every minute, and a code that stays
valid in a chat picture could be forwarded. It is a card to show a person; a site that scans
checks the minute code of the API's card (GET /api/v1/me/card). Handlers do not call WeChat: the
door hands in `ctx.upload_image`, as for the reunion pass.
"""

from __future__ import annotations

import logging
from zoneinfo import ZoneInfo

from handlers.card import texts
from handlers.card.fonts import find_font
from handlers.card.holder import card_holder
from handlers.card.render import render_card
from handlers.context import Context, Image, Reply

log = logging.getLogger(__name__)


def card_command(ctx: Context) -> Reply | str:
    holder = card_holder(ctx.session, ctx.user.id, ctx.settings.school_name)
    if holder is None:
        return texts.NOT_BOUND
    as_text = texts.card_as_text(holder.name, [d.line() for d in holder.degrees])
    if ctx.upload_image is None:
        return as_text
    png = render_card(holder, find_font(ctx.settings.card.font_path), drawn_at=ctx.now,
                      zone=ZoneInfo(ctx.settings.timezone))
    try:
        media_id = ctx.upload_image(png, f"card-{holder.user_id}.png")
    except Exception:
        # WeChat refused or is unreachable: the card's words still answer.
        log.exception("校友卡图片上传失败（用户 %s）", holder.user_id)
        return as_text
    return Image(media_id)
