"""The custom menu drawn as a phone shows it, and the sync's text as lines to colour.

Names are cut where the WeChat client cuts them (menus.validate: 4 characters on the bar, 8 in a
sub-menu, then "…"), so staff see the menu as alumni will, not as the TOML spells it.
"""

from __future__ import annotations

from dataclasses import dataclass

from menus.diff import describe
from menus.validate import NAME_SHOWN, SUB_NAME_SHOWN


@dataclass(frozen=True)
class PhoneButton:
    label: str                  # as the client shows it
    name: str                   # as written
    action: str                 # what a tap does ("点击 BIND"); "" for a button with a sub-menu
    subs: tuple[PhoneButton, ...] = ()


def _cut(name: object, shown: int) -> str:
    text = name if isinstance(name, str) else ""
    return text if len(text) <= shown else text[:shown] + "…"


def _leaf(button: dict, shown: int) -> PhoneButton:
    name = button.get("name") if isinstance(button.get("name"), str) else ""
    return PhoneButton(_cut(name, shown), name, describe(button))


def phone_buttons(menu: dict) -> list[PhoneButton]:
    """The bar's buttons with their sub-menus. Tolerates a menu the validator refuses (it is drawn
    beside the problems), skipping entries that are not buttons at all."""
    buttons = menu.get("button") if isinstance(menu, dict) else None
    out = []
    for button in buttons if isinstance(buttons, list) else []:
        if not isinstance(button, dict):
            continue
        subs = button.get("sub_button")
        if isinstance(subs, list) and subs:
            name = button.get("name") if isinstance(button.get("name"), str) else ""
            out.append(PhoneButton(_cut(name, NAME_SHOWN), name, "", tuple(
                _leaf(s, SUB_NAME_SHOWN) for s in subs if isinstance(s, dict))))
        else:
            out.append(_leaf(button, NAME_SHOWN))
    return out


@dataclass(frozen=True)
class SyncLine:
    text: str
    kind: str   # section, note, same, added, removed


def sync_lines(echoed: list[str]) -> list[SyncLine]:
    """What sync-menu printed (a dry run: the differences), one classed line per printed line:
    section headings flush left, notes indented by 2, outline lines by 4 with "+ " / "- " / "  "."""
    lines = []
    for chunk in echoed:
        for text in chunk.split("\n"):
            if text.startswith("    "):
                mark = text[4:6]
                kind = {"+ ": "added", "- ": "removed"}.get(mark, "same")
            else:
                kind = "note" if text.startswith("  ") else "section"
            lines.append(SyncLine(text.strip() if kind in ("section", "note") else text[4:], kind))
    return lines
