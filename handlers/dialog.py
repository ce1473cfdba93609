"""Dialogs as data, declared by the feature that holds them (python-telegram-bot's ConversationHandler
without the async): a name, the steps keyed by an enum, and per step the handler that takes the
answer and the message types it accepts besides text.

The routing table lists a dialog beside the commands that start it; the router hands the user's next
message to the step their state names. In Redis a state is the dialog's name and the step's value as
plain strings (handlers.context.DialogState), so renaming an enum member costs nothing, while a
changed value or a dropped step leaves older states unknown: the router then starts afresh.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Generic, TypeVar

from handlers.context import Handler

# WeChat's MsgType of what a step may accept besides text (typed, or a voice message's words).
LOCATION = "location"
IMAGE = "image"

S = TypeVar("S", bound=StrEnum)


@dataclass(frozen=True)
class Step:
    """One question of a dialog: text always reaches `handler`, and so do the message types in
    `accepts` (the handler tells them apart by `ctx.message.msg_type`); any other message goes
    where the routing table sends it outside the dialog, and the dialog stays open."""

    handler: Handler
    accepts: frozenset[str] = frozenset()


def step(handler: Handler, *accepts: str) -> Step:
    return Step(handler, frozenset(accepts))


@dataclass(frozen=True)
class Dialog(Generic[S]):
    name: str
    steps: Mapping[S, Step]
    _by_value: dict[str, Step] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        kinds = {type(key) for key in self.steps}
        if len(kinds) != 1 or not issubclass(next(iter(kinds)), StrEnum):
            raise TypeError(f"dialog {self.name!r}: steps are keyed by the members of one StrEnum")
        missing = [member for member in next(iter(kinds)) if member not in self.steps]
        if missing:
            raise ValueError(f"dialog {self.name!r} has no handler for {missing}")
        object.__setattr__(self, "_by_value", {key.value: value for key, value in self.steps.items()})

    def at(self, saved_step: str | None) -> Step | None:
        """The step a saved state names; None for one this version does not have."""
        return self._by_value.get(saved_step or "")
