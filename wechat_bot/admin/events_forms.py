"""The forms of the events admin pages: the event (create/edit), cancel, and the waitlist moves.

Times are typed in 北京时间 (the configured zone) in `datetime-local` inputs and stored in UTC;
`draft_from` turns a validated form into handlers.events.editing's `EventDraft`, `fill` the other
way, so a form re-shown after an error keeps everything typed.
"""

from __future__ import annotations

import datetime as dt

from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FloatField,
    IntegerField,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from handlers.events import admin_texts as texts
from handlers.events.editing import MAX_GUESTS, MAX_QUESTIONS, MAX_SEATS, EventDraft, questions_of
from handlers.events.lifecycle import MAX_REASON
from handlers.events.settings import KINDS
from wechat_bot.admin.forms import REQUIRED, AdminForm

OTHER = "其他"
WHEN = "%Y-%m-%dT%H:%M"
BAD_TIME = "请按 年-月-日 时:分 填写（北京时间）"


def _when(label: str, required: bool = True) -> DateTimeLocalField:
    checks = [InputRequired(REQUIRED)] if required else [Optional()]
    return DateTimeLocalField(label, format=WHEN, validators=checks,
                              render_kw={"step": 60})


class EventForm(AdminForm):
    title = StringField("活动名称", validators=[DataRequired(REQUIRED), Length(max=64)])
    kind = SelectField("活动类型", choices=[SelectChoice(k, k) for k in KINDS] + [SelectChoice(OTHER, "其他（在下面填写）")])
    kind_other = StringField("其他类型", validators=[Optional(), Length(max=16)],
                             description="活动类型选「其他」时填写，例如：读书会")
    description = TextAreaField("活动介绍", validators=[Optional(), Length(max=2000)])
    picture_url = StringField("封面图片链接", validators=[Optional(), Length(max=500)],
                              description="以 https:// 开头；用于图文卡片，可不填")
    starts_at = _when("开始时间（北京时间）")
    ends_at = _when("结束时间（北京时间）")
    place = StringField("地点", validators=[DataRequired(REQUIRED), Length(max=128)])
    latitude = FloatField("纬度", validators=[Optional()], description="可不填；例如 31.2304")
    longitude = FloatField("经度", validators=[Optional()], description="可不填；例如 121.4737")
    seats = IntegerField("名额", validators=[InputRequired(REQUIRED), NumberRange(
        min=1, max=MAX_SEATS, message=f"名额须在 1 到 {MAX_SEATS} 之间")])
    signup_opens_at = _when("报名开始（北京时间，可不填）", required=False)
    signup_closes_at = _when("报名截止（北京时间，可不填：开始前都可报名）", required=False)
    audience_kind = SelectField("谁可以报名", choices=[SelectChoice(k, v) for k, v in texts.AUDIENCE_KINDS.items()],
                                default="bound")
    audience_chapter = SelectField("分会", choices=[], validate_choice=False,
                                   description="「谁可以报名」选分会时填写")
    audience_years = StringField("届别", validators=[Optional(), Length(max=20)],
                                 description="「谁可以报名」选届别时填写，例如 2010 或 2010-2015")
    audience_college = StringField("学院", validators=[Optional(), Length(max=64)],
                                   description="「谁可以报名」选学院时填写全称，例如 计算机学院")
    max_guests = IntegerField("每人最多可带家属", default=0, validators=[InputRequired(REQUIRED), NumberRange(
        min=0, max=MAX_GUESTS, message=f"请填写 0 到 {MAX_GUESTS} 之间的整数")])
    ask_shirt_size = BooleanField("报名时询问 T 恤尺码")
    questions = TextAreaField("附加问题", validators=[Optional()],
                              description=f"每行一个，最多 {MAX_QUESTIONS} 个；报名时逐一询问")
    submit = SubmitField("保存")


def _utc(value: dt.datetime | None, zone) -> dt.datetime | None:
    return value.replace(tzinfo=zone).astimezone(dt.UTC) if value else None


def _local(value: dt.datetime | None, zone) -> dt.datetime | None:
    return value.astimezone(zone).replace(tzinfo=None) if value else None


def draft_from(form: EventForm, zone) -> EventDraft:
    kind = form.kind_other.data if form.kind.data == OTHER else form.kind.data
    chapter = form.audience_chapter.data
    return EventDraft(
        title=form.title.data, kind=(kind or "").strip(), description=form.description.data,
        picture_url=form.picture_url.data, starts_at=_utc(form.starts_at.data, zone),
        ends_at=_utc(form.ends_at.data, zone), place=form.place.data,
        latitude=form.latitude.data, longitude=form.longitude.data, seats=form.seats.data,
        signup_opens_at=_utc(form.signup_opens_at.data, zone),
        signup_closes_at=_utc(form.signup_closes_at.data, zone),
        audience_kind=form.audience_kind.data,
        audience_chapter_id=int(chapter) if chapter and str(chapter).isdigit() else None,
        audience_years=(form.audience_years.data or "").strip() or None,
        audience_college=(form.audience_college.data or "").strip() or None,
        max_guests=form.max_guests.data, ask_shirt_size=bool(form.ask_shirt_size.data),
        questions=questions_of(form.questions.data))


def fill(form: EventForm, draft: EventDraft, zone) -> None:
    """Put an event (as a draft) into the form, for editing."""
    other = draft.kind not in KINDS
    form.title.data, form.kind.data = draft.title, OTHER if other else draft.kind
    form.kind_other.data = draft.kind if other else ""
    form.description.data, form.picture_url.data = draft.description, draft.picture_url
    form.starts_at.data, form.ends_at.data = _local(draft.starts_at, zone), _local(draft.ends_at, zone)
    form.place.data, form.latitude.data, form.longitude.data = draft.place, draft.latitude, draft.longitude
    form.seats.data = draft.seats
    form.signup_opens_at.data = _local(draft.signup_opens_at, zone)
    form.signup_closes_at.data = _local(draft.signup_closes_at, zone)
    form.audience_kind.data = draft.audience_kind
    form.audience_chapter.data = str(draft.audience_chapter_id or "")
    form.audience_years.data, form.audience_college.data = draft.audience_years, draft.audience_college
    form.max_guests.data, form.ask_shirt_size.data = draft.max_guests, draft.ask_shirt_size
    form.questions.data = "\n".join(draft.questions)


class CancelForm(AdminForm):
    reason = StringField("取消原因（会告知每一位报名和候补的校友）",
                         validators=[DataRequired(REQUIRED), Length(max=MAX_REASON)])
    submit = SubmitField("取消活动")


class WaitlistForm(AdminForm):
    """Promote or move one person waiting; the reason goes to the audit log."""

    place = IntegerField("移到第几位", validators=[Optional(), NumberRange(min=1, message="请填写 1 或更大的整数")])
    note = StringField("原因（记入审计日志）", validators=[DataRequired(REQUIRED), Length(max=MAX_REASON)])
    submit = SubmitField("确定")
