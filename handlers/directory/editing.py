"""信息采集 through the bot: alumni keep their own city, employer and industry up to date.

`修改 城市 南京` changes one field at once; `修改资料` (offered under `我的`) asks which field, then
the new value. Both write the alumnus's own `profile_*` columns through `update_profile`, the
service the API's PATCH /me uses, so the roster's values stay apart and 「清除」 stores NULL.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

from handlers.context import Context
from handlers.dialog import Dialog, step
from handlers.directory import texts
from handlers.directory.binding import bound_records
from handlers.directory.privacy import PROFILE_FIELDS, ProfileError, update_profile
from handlers.directory.profile import my_profile

# What alumni call each field they may change (the roster's own columns stay staff's to correct).
EDIT_WORDS = {"城市": "city", "所在城市": "city", "单位": "employer", "工作单位": "employer",
              "公司": "employer", "行业": "industry"}
FIELD_ORDER = ("city", "employer", "industry")  # the numbers the dialog offers: 1, 2, 3
EDIT_SHAPE = "(" + "|".join(sorted(EDIT_WORDS, key=len, reverse=True)) + ").*"
CLEAR_WORDS = frozenset({"清除", "清空", "删除"})
_LEADING_PUNCTUATION = re.compile(r"^[\s:：,，、=＝]+")


class EditStep(StrEnum):
    FIELD = "field"
    VALUE = "value"


def edit_profile_command(ctx: Context) -> str:
    """`修改资料` (or `修改` alone) starts the dialog; `修改 城市 南京` changes the field at once."""
    if not bound_records(ctx.session, ctx.user):
        return texts.NEED_BIND
    words = ctx.args.split(maxsplit=1)
    if not words or words[0] == "资料":
        return _ask_field(ctx)
    word = _field_word(ctx.args)
    if word is None:
        return texts.edit_unknown(words[0])
    value = _typed_after(ctx, word)
    if not value:
        ctx.dialog.start(EDIT_DIALOG, EditStep.VALUE, field=EDIT_WORDS[word])
        return texts.edit_ask_value(_label(EDIT_WORDS[word]))
    return _save_and_end(ctx, EDIT_WORDS[word], value)


def edit_field_step(ctx: Context) -> str:
    """The answer to 「要修改哪一项」: 1-3, a field's name, or a field's name with the new value."""
    answer = ctx.args.strip().removeprefix("修改").strip()
    if answer.isdigit() and 1 <= int(answer) <= len(FIELD_ORDER):
        field = FIELD_ORDER[int(answer) - 1]
    else:
        word = _field_word(answer)
        if word is None:
            return texts.EDIT_ASK_FIELD_AGAIN
        field = EDIT_WORDS[word]
        value = _typed_after(ctx, word)
        if value:
            return _save_and_end(ctx, field, value)
    ctx.dialog.goto(EditStep.VALUE, field=field)
    return texts.edit_ask_value(_label(field))


def edit_value_step(ctx: Context) -> str:
    field = ctx.dialog.data.get("field")
    if field not in PROFILE_FIELDS:  # state from another version: start over
        return _ask_field(ctx)
    value = _typed(ctx)
    if not value:
        return texts.edit_ask_value(_label(field))
    return _save_and_end(ctx, field, value)


def _ask_field(ctx: Context) -> str:
    profile = my_profile(ctx.session, ctx.user)
    ctx.dialog.start(EDIT_DIALOG, EditStep.FIELD)
    current = {"city": profile.city, "employer": profile.employer, "industry": profile.industry}
    return texts.edit_ask_field([(_label(f), current[f]) for f in FIELD_ORDER])


def _save_and_end(ctx: Context, field: str, value: str) -> str:
    """Store the value and leave the dialog; a value that cannot be stored is asked for again."""
    cleared = value in CLEAR_WORDS
    try:
        update_profile(ctx.session, ctx.user, **{field: None if cleared else value})
    except ProfileError as bad:
        ctx.dialog.start(EDIT_DIALOG, EditStep.VALUE, field=field)
        return f"{bad}{texts.EDIT_TRY_AGAIN}"
    if ctx.dialog.active:
        ctx.dialog.end()
    return texts.edit_done(_label(field), None if cleared else value)


def _label(field: str) -> str:
    return PROFILE_FIELDS[field][2]


def _field_word(text: str) -> str | None:
    return next((w for w in sorted(EDIT_WORDS, key=len, reverse=True) if text.startswith(w)), None)


def _typed(ctx: Context) -> str:
    """The message as the alumnus typed it: the router folds case, and 「IBM」 must stay IBM."""
    return " ".join(unicodedata.normalize("NFKC", ctx.message.text or "").split())


def _typed_after(ctx: Context, word: str) -> str:
    _, found, after = _typed(ctx).partition(word)
    return _LEADING_PUNCTUATION.sub("", after).strip() if found else ""


EDIT_DIALOG = Dialog("edit", {
    EditStep.FIELD: step(edit_field_step),
    EditStep.VALUE: step(edit_value_step),
})
