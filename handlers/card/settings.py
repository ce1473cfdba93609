"""The alumni card's settings: the `[card]` section, as wechat_bot.config reads it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class CardSettings:
    # A font file with Chinese glyphs (.ttf, .otf or .ttc). Empty: search the usual places
    # (handlers.card.fonts.SEARCHED). Start-up stops when none is found: a card in boxes is worse
    # than none.
    font_path: str = ""
    # Checks one site key may make per minute (POST /api/v1/cards/verify); more answer 429.
    verify_per_minute: int = 120

    def problems(self) -> Iterator[tuple[str, str]]:
        """(key, what is wrong) for each bad value, in Chinese for the operator."""
        from handlers.card.fonts import FontMissing, find_font

        if not 1 <= self.verify_per_minute <= 6000:
            yield "verify_per_minute", "必须在 1 到 6000 之间"
        try:
            find_font(self.font_path)
        except FontMissing as missing:
            yield "font_path", str(missing)
