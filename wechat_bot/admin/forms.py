"""The admin's forms: Flask-WTF (CSRF token in every form) with WTForms' Chinese messages."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional

from models.staff import ROLE_LABELS, StaffRole

REQUIRED = "请填写这一项"


class AdminForm(FlaskForm):
    class Meta:
        locales = ("zh_CN", "zh")  # "Not a valid choice" and friends, in Chinese


class LoginForm(AdminForm):
    username = StringField("用户名", validators=[DataRequired(REQUIRED), Length(max=64)])
    password = PasswordField("密码", validators=[DataRequired(REQUIRED), Length(max=256)])
    submit = SubmitField("登录")


class PasswordChangeForm(AdminForm):
    current = PasswordField("当前密码", validators=[DataRequired(REQUIRED)])
    new = PasswordField("新密码", validators=[DataRequired(REQUIRED)])
    confirm = PasswordField("再输入一次新密码", validators=[
        DataRequired(REQUIRED), EqualTo("new", "两次输入的新密码不一致")])
    submit = SubmitField("修改密码")


ROLE_CHOICES = [SelectChoice(role.value, ROLE_LABELS[role]) for role in StaffRole]


class PlaceForm(AdminForm):
    """A role and, for the roles that need one, its college or chapter."""

    role = SelectField("角色", choices=ROLE_CHOICES, default=StaffRole.STAFF.value)
    college = StringField("学院（仅学院联络人）", validators=[Optional(), Length(max=64)],
                          description="按花名册中的写法填写，例如：计算机学院")
    chapter = SelectField("分会（仅分会联络员）", choices=[], validate_choice=False)
    submit = SubmitField("保存")


class AccountCreateForm(PlaceForm):
    username = StringField("用户名", validators=[DataRequired(REQUIRED), Length(max=32)])
    password = PasswordField("初始密码", validators=[DataRequired(REQUIRED)],
                             description="请通过安全的方式告诉对方，并请其登录后修改")
    submit = SubmitField("创建账号")


class ResetPasswordForm(AdminForm):
    password = PasswordField("新密码", validators=[DataRequired(REQUIRED)])
    submit = SubmitField("重设密码")


class ConfirmForm(AdminForm):
    """A button that changes something: the form exists for its CSRF token."""

    submit = SubmitField("确定")
