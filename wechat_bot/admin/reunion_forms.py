"""The forms of the reunion admin pages (calendar, bookings, college coordination)."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, IntegerField, StringField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from handlers.reunion.days import MAX_NOTE
from handlers.reunion.lifecycle import MAX_PROGRAMME, MAX_REASON, MAX_URL
from wechat_bot.admin.forms import REQUIRED, AdminForm

NOT_NEGATIVE = NumberRange(min=0, message="请填写 0 或更大的整数")


def _quota(label: str) -> IntegerField:
    return IntegerField(label, validators=[InputRequired(REQUIRED), NOT_NEGATIVE])


class DayForm(AdminForm):
    is_open = BooleanField("这一天接待返校")
    note = StringField("给校友的说明（可不填）", validators=[Optional(), Length(max=MAX_NOTE)],
                       description="预约时校友会看到，例如：校庆日，只接待上午")
    people = _quota("人数名额")
    lodging = _quota("住宿")
    tour = _quota("校园参观团组")
    lunch = _quota("午餐（份）")
    dinner = _quota("晚餐（份）")
    slots = TextAreaField("入校时段", validators=[DataRequired(REQUIRED)],
                          description="每行一个：开始-结束 人数，例如 09:00-10:00 150")
    venues = TextAreaField("场地", validators=[Optional()],
                           description="每行一个：名称 座位数，例如 逸夫楼报告厅 200；每个场地一天接待一个班级")
    submit = SubmitField("保存这一天")


class ProgrammeForm(AdminForm):
    programme = TextAreaField("学院安排", validators=[DataRequired(REQUIRED), Length(max=MAX_PROGRAMME)],
                              description="例如：与在校生座谈、实验室参观、名师重上一堂课、集章路线")
    back = HiddenField()   # "college": return to 学院协调 rather than the booking's page
    submit = SubmitField("确认学院安排")


class DeclineForm(AdminForm):
    reason = StringField("不批准的原因（会告知班级）", validators=[DataRequired(REQUIRED),
                                                           Length(max=MAX_REASON)])
    submit = SubmitField("不批准")


class PhotoForm(AdminForm):
    photo_url = StringField("班级合影链接", validators=[DataRequired(REQUIRED), Length(max=MAX_URL)],
                            description="以 https:// 开头；保存后发给联系人和报名的同学")
    submit = SubmitField("保存并发送")
