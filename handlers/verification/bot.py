"""The bot's 人工审核: the keyword and the dialog (姓名 → 毕业年份 → 学院 → 专业 → 学号 or 跳过 →
a photo as an image message or 跳过 → 确认). The rules live in handlers.verification.requests,
which the API calls too.

Before 绑定 has failed often enough the keyword says what it is for and how to get there; a
user with a pending request is told so instead of starting again.
"""

from __future__ import annotations

from enum import StrEnum

from handlers.context import STORE_DOWN, Context, logged_as
from handlers.dialog import IMAGE, Dialog, step
from handlers.directory.bot import mask_binding_input
from handlers.verification import texts
from handlers.verification.requests import (
    MAX_TEXT,
    DetailsError,
    RequestOutcome,
    VerificationDetails,
    check_name,
    check_photo_url,
    check_student_id,
    check_text,
    check_year,
    may_request,
    pending_request,
    request_verification,
)

CHANNEL = "bot"


# A step's value is what Redis keeps between two messages: changing it ends the dialogs open then.
class VerifyStep(StrEnum):
    NAME = "name"
    YEAR = "year"
    COLLEGE = "college"
    MAJOR = "major"
    STUDENT_ID = "student_id"
    PHOTO = "photo"
    CONFIRM = "confirm"


def _typed(ctx: Context) -> str:
    """What the alumnus wrote, as written (the router's `args` folds case and punctuation, which
    a college's or major's name keeps: 软件工程（中外合作）); a voice message's closing 。 dropped."""
    return (ctx.message.text or "").strip().rstrip("。.！!")


def _skipped(ctx: Context) -> bool:
    return ctx.args.strip() in texts.SKIP_WORDS


def start(ctx: Context) -> str:
    """`人工审核`: start the dialog if 绑定 has failed often enough, else say what it is for."""
    if pending_request(ctx.session, ctx.user) is not None:
        return texts.PENDING
    try:
        offered = may_request(ctx.store, ctx.settings, ctx.user.id, ctx.now)
    except STORE_DOWN:
        return texts.UNAVAILABLE
    if not offered:
        return texts.explain(ctx.settings.verification.offer_after_failures)
    ctx.dialog.start(VERIFY_DIALOG, VerifyStep.NAME)
    return texts.ASK_NAME


@logged_as(mask_binding_input)
def name_step(ctx: Context) -> str:
    try:
        name = check_name(_typed(ctx))
    except DetailsError:
        return texts.BAD_NAME
    ctx.dialog.goto(VerifyStep.YEAR, name=name)
    return texts.ASK_YEAR


def year_step(ctx: Context) -> str:
    digits = ctx.args.strip().removesuffix("年").removesuffix("届").strip()
    try:
        year = check_year(int(digits), ctx.now) if digits.isdigit() and len(digits) == 4 else None
    except DetailsError:
        year = None
    if year is None:
        return texts.BAD_YEAR
    ctx.dialog.goto(VerifyStep.COLLEGE, year=year)
    return texts.ASK_COLLEGE


def college_step(ctx: Context) -> str:
    try:
        college = check_text(_typed(ctx), "学院")
    except DetailsError:
        return texts.BAD_TEXT.format(limit=MAX_TEXT)
    ctx.dialog.goto(VerifyStep.MAJOR, college=college)
    return texts.ASK_MAJOR


def major_step(ctx: Context) -> str:
    try:
        major = check_text(_typed(ctx), "专业")
    except DetailsError:
        return texts.BAD_TEXT.format(limit=MAX_TEXT)
    ctx.dialog.goto(VerifyStep.STUDENT_ID, major=major)
    return texts.ASK_STUDENT_ID


@logged_as(mask_binding_input)
def student_id_step(ctx: Context) -> str:
    if _skipped(ctx):
        ctx.dialog.goto(VerifyStep.PHOTO, student_id=None)
        return texts.ASK_PHOTO
    try:
        student_id = check_student_id(_typed(ctx))  # as typed: S2012AB01 stays upper-case
    except DetailsError:
        return texts.BAD_STUDENT_ID
    ctx.dialog.goto(VerifyStep.PHOTO, student_id=student_id)
    return texts.ASK_PHOTO


def photo_step(ctx: Context) -> str:
    """An image message (WeChat's PicUrl, a link staff open, and its MediaId), or 跳过."""
    if ctx.message.msg_type == IMAGE:
        raw = ctx.message.raw
        try:
            url = check_photo_url(raw.get("PicUrl") if isinstance(raw.get("PicUrl"), str) else None)
        except DetailsError:
            url = None
        media = raw.get("MediaId") if isinstance(raw.get("MediaId"), str) else None
        if not (url or media):
            return texts.PHOTO_TEXT
        ctx.dialog.goto(VerifyStep.CONFIRM, photo_url=url, photo_media_id=media)
    elif _skipped(ctx):
        ctx.dialog.goto(VerifyStep.CONFIRM, photo_url=None, photo_media_id=None)
    else:
        return texts.PHOTO_TEXT
    return _confirmation(ctx)


def _confirmation(ctx: Context) -> str:
    data = ctx.dialog.data
    return texts.confirm(data["name"], data["year"], data["college"], data["major"],
                         data.get("student_id"), bool(data.get("photo_url") or data.get("photo_media_id")))


def confirm_step(ctx: Context) -> str:
    if ctx.args.strip() not in texts.CONFIRM_WORDS:
        return _confirmation(ctx)
    data = ctx.dialog.data
    ctx.dialog.end()
    details = VerificationDetails(
        name=data["name"], graduation_year=int(data["year"]), college=data["college"],
        major=data["major"], student_id=data.get("student_id"), photo_url=data.get("photo_url"),
        photo_media_id=data.get("photo_media_id"))
    try:
        result = request_verification(ctx.session, ctx.user, details, now=ctx.now, channel=CHANNEL)
    except DetailsError as bad:
        return f"{bad}请发送「{texts.KEYWORD}」重新申请。"
    if result.outcome is RequestOutcome.PENDING:
        return texts.PENDING
    return texts.SUBMITTED


# --- the dialog these handlers hold (the routing table lists it with its entry point) ---

VERIFY_DIALOG = Dialog("verify", {
    VerifyStep.NAME: step(name_step),
    VerifyStep.YEAR: step(year_step),
    VerifyStep.COLLEGE: step(college_step),
    VerifyStep.MAJOR: step(major_step),
    VerifyStep.STUDENT_ID: step(student_id_step),
    VerifyStep.PHOTO: step(photo_step, IMAGE),
    VerifyStep.CONFIRM: step(confirm_step),
})
