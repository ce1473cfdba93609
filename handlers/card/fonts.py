"""Finding a font that draws Chinese, so a card never shows boxes (豆腐块) for the alumnus's name.

The configured `card.font_path` wins; else the usual places of common CJK fonts on Debian/Ubuntu
(fonts-noto-cjk, fonts-wqy-*), RHEL, Alpine, macOS and Windows; else fontconfig's own answer
(`fc-match :lang=zh`). A candidate counts only if it really draws Chinese: its glyph for 校 must
differ from the one it draws for a character no font has (the "missing glyph" box), so a Latin
font named in the configuration is refused, not used to draw boxes. Nothing found raises
FontMissing with what to do; the card settings' `problems()` turn that into a start-up error
naming `card.font_path`.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from PIL import ImageFont

SEARCHED = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
    "/usr/share/fonts/wenquanyi/wqy-zenhei/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/System/Library/Fonts/STHeiti Medium.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
)
# Faces of a collection (.ttc) to prefer: Simplified Chinese glyph shapes.
PREFERRED_FACE = ("SC", "GB", "Simplified", "PingFang SC", "Micro Hei", "Zen Hei")
PROBE = "校友卡"
NO_SUCH_GLYPH = "\U0010fffd"  # a private-use code point: every font draws its "missing" glyph
INSTALL_HINT = ("请安装中文字体（Debian/Ubuntu：apt-get install fonts-noto-cjk），"
                "或在 [card] font_path 填写一个含中文字形的字体文件（.ttf/.otf/.ttc）")


class FontMissing(Exception):
    """No usable CJK font; str() says what to do, in Chinese for the operator."""


@dataclass(frozen=True)
class FontChoice:
    path: str
    index: int  # the face within a collection

    def at(self, size: int) -> ImageFont.FreeTypeFont:
        return _load(self.path, self.index, size)


@cache
def _load(path: str, index: int, size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size, index=index)


def draws_chinese(font: ImageFont.FreeTypeFont) -> bool:
    """Whether `font` has real glyphs for Chinese, not its missing-glyph box."""
    def drawn(text: str) -> tuple[tuple[int, int], bytes]:
        mask = font.getmask(text)
        return mask.size, bytes(mask)

    missing = drawn(NO_SUCH_GLYPH)
    return all(drawn(ch) != missing for ch in PROBE)


def _faces(path: str) -> list[tuple[int, ImageFont.FreeTypeFont]]:
    faces = []
    for index in range(12):  # a collection holds a handful of faces; a plain font one
        try:
            faces.append((index, ImageFont.truetype(path, 24, index=index)))
        except OSError:
            break
    return faces


@cache
def _usable(path: str) -> FontChoice | None:
    """The best face of the font file at `path` that draws Chinese, or None. Faces named as
    preferred are probed first, so a collection costs one probe, not one per face."""
    if not Path(path).is_file():
        return None

    def rank(face: tuple[int, ImageFont.FreeTypeFont]) -> int:
        name = " ".join(face[1].getname())
        return next((i for i, wanted in enumerate(PREFERRED_FACE) if wanted in name),
                    len(PREFERRED_FACE))

    for index, font in sorted(_faces(path), key=rank):
        if draws_chinese(font):
            return FontChoice(path, index)
    return None


def _fontconfig_candidates() -> list[str]:
    """What fontconfig would pick for Chinese (servers with fonts in unusual places)."""
    if shutil.which("fc-match") is None:
        return []
    try:
        found = subprocess.run(["fc-match", "-f", "%{file}\n", ":lang=zh"], capture_output=True,
                               text=True, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.strip() for line in found.stdout.splitlines() if line.strip()]


@cache
def find_font(configured: str = "", search: tuple[str, ...] | None = None) -> FontChoice:
    """The font the card is drawn with: the configured one, else the first usable of `search`
    (by default the usual places, then fontconfig's answer)."""
    if configured:
        if not Path(configured).is_file():
            raise FontMissing(f"字体文件不存在：{configured}。{INSTALL_HINT}")
        choice = _usable(configured)
        if choice is None:
            raise FontMissing(f"字体文件 {configured} 不含中文字形（会显示成方块）。{INSTALL_HINT}")
        return choice
    for path in search if search is not None else (*SEARCHED, *_fontconfig_candidates()):
        choice = _usable(path)
        if choice is not None:
            return choice
    raise FontMissing(f"没有找到可以显示中文的字体。{INSTALL_HINT}")
