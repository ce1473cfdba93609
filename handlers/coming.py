"""Commands that SPEC 5 promises and the menu shows before their feature has landed.

Every published menu key and every keyword must answer something (a silent `success` or 「没有听懂」
to a button the account itself shows is a dead end). Until a feature arrives, its words and
buttons reach a `ComingSoon` handler that says so and names what works today; the feature's issue
swaps it for the real handlers in the routing table.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.context import Context
from handlers.help import open_commands


@dataclass(frozen=True)
class ComingSoon:
    """A handler for a feature not yet open: `feature` is its name, `meanwhile` what helps now."""

    feature: str
    meanwhile: str = ""

    def __call__(self, ctx: Context) -> str:
        lines = [f"「{self.feature}」功能即将开放，敬请期待。"]
        if self.meanwhile:
            lines.append(self.meanwhile)
        lines.append(f"现在可以使用：{'、'.join(open_commands(ctx.available_commands))}。"
                     "发送「帮助」查看用法。")
        return "\n".join(lines)

