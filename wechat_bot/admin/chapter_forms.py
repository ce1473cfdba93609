"""The chapters pages' forms. Their fields are the chapters file's (SPEC 9), so the file's row
rules (handlers.chapters.importing.parse_row) check them; the forms only bound their lengths."""

from __future__ import annotations

from flask_wtf.file import FileField, FileRequired
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from handlers.chapters.columns import KIND_NAMES
from handlers.chapters.editing import STATUS_NAMES
from wechat_bot.admin.forms import REQUIRED, AdminForm

KIND_CHOICES = [SelectChoice(kind.value, name) for kind, name in KIND_NAMES.items()]
STATUS_CHOICES = [SelectChoice(status.value, name) for status, name in STATUS_NAMES.items()]


class ChapterForm(AdminForm):
    name = StringField("名称", validators=[DataRequired(REQUIRED), Length(max=64)])
    kind = SelectField("类型", choices=KIND_CHOICES)
    city = StringField("城市", validators=[Optional(), Length(max=64)],
                       description="地区、海外分会必填；坐标按内置地名库查找，查不到时请填写纬度和经度")
    country = StringField("国家", validators=[Optional(), Length(max=64)],
                          description="海外分会填写，如 美国、英国；国内分会可留空")
    lat = StringField("纬度", validators=[Optional(), Length(max=32)])
    lng = StringField("经度", validators=[Optional(), Length(max=32)])
    intro = TextAreaField("简介", validators=[Optional(), Length(max=2000)])
    status = SelectField("状态", choices=STATUS_CHOICES,
                         description="停用的分会保留成员，但不再出现在查找结果中，也不能加入")
    submit = SubmitField("保存")


class IntroForm(AdminForm):
    """What a liaison edits of their own chapter."""

    intro = TextAreaField("简介", validators=[Optional(), Length(max=2000)])
    submit = SubmitField("保存")


class LiaisonForm(AdminForm):
    name = StringField("姓名", validators=[DataRequired(REQUIRED), Length(max=64)])
    contact = StringField("联络方式", validators=[Optional(), Length(max=128)],
                          description="会公开给查找分会的校友，如 微信号、电话或邮箱")
    student_id = StringField("学号（可选）", validators=[Optional(), Length(max=32)],
                             description="填写后与花名册核对；已绑定的联络员会在有新成员时收到微信通知")
    submit = SubmitField("添加联络员")


class ContactForm(AdminForm):
    contact = StringField("联络方式", validators=[Optional(), Length(max=128)])
    submit = SubmitField("保存")


class ImportForm(AdminForm):
    file = FileField("分会表（CSV 或 XLSX）", validators=[FileRequired("请选择要导入的文件")])
    submit = SubmitField("导入")
