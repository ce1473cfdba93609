"""The card's face as a PNG: what the bot sends for `校友卡` (and the API may show).

Drawn with Pillow and the CJK font handlers.card.fonts found: the school, 校友卡, the name, one
line per degree, when it was drawn (a screenshot shows its age), and, when given, the card code as
a QR on the right. Text too long for the card is cut with an ellipsis, never drawn off the edge.
"""

from __future__ import annotations

import datetime as dt
import io
from functools import cache

import segno
from PIL import Image, ImageDraw

from handlers.card import texts
from handlers.card.fonts import FontChoice
from handlers.card.holder import CardHolder

WIDTH, HEIGHT = 1000, 630  # an ID card's proportions (85.6 × 54 mm)
MARGIN = 60
NAVY, DEEP = (22, 52, 104), (12, 30, 66)
GOLD, WHITE, MUTED = (222, 184, 96), (255, 255, 255), (178, 194, 222)
MAX_DEGREE_LINES = 3
QR_BOX = 300


def _fit(draw: ImageDraw.ImageDraw, text: str, font, width: int) -> str:
    """`text`, cut with … so that it fits `width` pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text + "…"


@cache
def _background() -> Image.Image:
    """A navy card, darker to the bottom, with a gold band under the header (drawn once; each
    card draws on a copy)."""
    card = Image.new("RGB", (WIDTH, HEIGHT), NAVY)
    draw = ImageDraw.Draw(card)
    for y in range(HEIGHT):
        t = y / HEIGHT
        draw.line([(0, y), (WIDTH, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(NAVY, DEEP)))
    draw.ellipse([WIDTH - 380, -260, WIDTH + 220, 340], outline=(48, 82, 140), width=36)
    draw.rectangle([0, 150, WIDTH, 156], fill=GOLD)
    return card


def qr_place(matrix_size: int) -> tuple[int, int, int]:
    """Where the QR of a `matrix_size`-module code goes: (left, top, pixels per module) of its
    first module, a quiet zone of four modules around it."""
    modules = matrix_size + 8
    scale = QR_BOX // modules
    size = modules * scale
    left, top = WIDTH - MARGIN - size, (HEIGHT - size) // 2 + 40
    return left + 4 * scale, top + 4 * scale, scale


def _qr(card: Image.Image, code: str) -> None:
    """The code as a QR, black on a white square at the right."""
    matrix = segno.make(code, error="m").matrix
    first_x, first_y, scale = qr_place(len(matrix))
    left, top = first_x - 4 * scale, first_y - 4 * scale
    size = (len(matrix) + 8) * scale
    draw = ImageDraw.Draw(card)
    draw.rounded_rectangle([left - 8, top - 8, left + size + 8, top + size + 8], 16, fill=WHITE)
    for row, cells in enumerate(matrix):
        for col, dark in enumerate(cells):
            if dark:
                x, y = first_x + col * scale, first_y + row * scale
                draw.rectangle([x, y, x + scale - 1, y + scale - 1], fill=(0, 0, 0))


def render_card(holder: CardHolder, font: FontChoice, *, drawn_at: dt.datetime, zone: dt.tzinfo,
                code: str | None = None) -> bytes:
    """The card of `holder` as PNG bytes; `code` adds its QR."""
    card = _background().copy()
    draw = ImageDraw.Draw(card)
    text_width = WIDTH - 2 * MARGIN - (QR_BOX + 40 if code else 0)
    school = font.at(46)
    draw.text((MARGIN, 44), _fit(draw, holder.school, school, WIDTH - 2 * MARGIN - 260), font=school,
              fill=WHITE, stroke_width=1, stroke_fill=WHITE)
    title = font.at(30)
    draw.text((WIDTH - MARGIN, 62), texts.CARD_TITLE, font=title, fill=GOLD, anchor="ra")

    name = font.at(76)
    draw.text((MARGIN, 200), _fit(draw, holder.name, name, text_width), font=name, fill=WHITE,
              stroke_width=2, stroke_fill=WHITE)
    line_font = font.at(32)
    y = 320
    shown = holder.degrees[-MAX_DEGREE_LINES:]  # the latest degrees when there are many
    for degree in shown:
        draw.text((MARGIN, y), _fit(draw, degree.line(), line_font, text_width), font=line_font,
                  fill=WHITE)
        y += 50
    if len(holder.degrees) > len(shown):
        draw.text((MARGIN, y), texts.more_degrees(len(holder.degrees) - len(shown)), font=font.at(24),
                  fill=MUTED)

    small = font.at(22)
    local = drawn_at.astimezone(zone)
    footer = texts.footer(local, with_code=code is not None)
    draw.text((MARGIN, HEIGHT - 56), _fit(draw, footer, small, WIDTH - 2 * MARGIN), font=small,
              fill=MUTED)
    if code:
        _qr(card, code)
    out = io.BytesIO()
    card.save(out, format="PNG", compress_level=1)  # 4x faster than the default, 15% larger
    return out.getvalue()
