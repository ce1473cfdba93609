"""The publications library (/admin/publications/, 刊物与新闻): 校园新闻, 校报, 校友通讯, 校史.

Staff keep here what features offer alumni: the week-before reunion reminder sends the newest
校报, 校友通讯 and 校史 as news cards (handlers.reunion.reminders). An item is added, edited or
hidden (kept for the pushes that already link it, offered no more), never deleted; each change is
audited. admin and staff only: the library is the school's, not a college's.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from handlers.publications.categories import CATEGORIES
from handlers.publications.library import (
    TITLE_MAX,
    URL_MAX,
    PublicationError,
    PublicationInput,
    add_publication,
    by_category,
    change_publication,
)
from models import StaffRole
from models.publication import Publication
from wechat_bot.admin.audit import audit
from wechat_bot.admin.db import db
from wechat_bot.admin.forms import REQUIRED, AdminForm, ConfirmForm
from wechat_bot.admin.guard import roles

bp = Blueprint("publications", __name__, url_prefix="/publications")
editors = roles(StaffRole.ADMIN, StaffRole.STAFF)


class PublicationForm(AdminForm):
    category = SelectField("类别", choices=[SelectChoice(c, c) for c in CATEGORIES])
    title = StringField("标题", validators=[DataRequired(REQUIRED), Length(max=TITLE_MAX)],
                        description=f"最多 {TITLE_MAX} 个字（微信图文卡片的上限）")
    summary = TextAreaField("摘要", validators=[Optional(), Length(max=500)],
                            description="图文卡片上标题下方的一两句话")
    url = StringField("链接", validators=[DataRequired(REQUIRED), Length(max=URL_MAX)],
                      description="点开卡片打开的网址，须以 http:// 或 https:// 开头")
    picture_url = StringField("封面图片", validators=[Optional(), Length(max=URL_MAX)],
                              description="可不填；填写时须为 http(s) 网址")
    submit = SubmitField("保存")

    def values(self) -> PublicationInput:
        return PublicationInput(self.category.data or "", self.title.data or "", self.url.data or "",
                                self.summary.data or "", self.picture_url.data or "")


def _now() -> datetime:
    return datetime.now(UTC)


def _row_or_404(publication_id: int) -> Publication:
    row = db().get(Publication, publication_id)
    if row is None:
        abort(404)
    return row


def _target(row: Publication) -> str:
    return f"{row.category} #{row.id}《{row.title}》"


def _refuse(form: PublicationForm, error: PublicationError) -> None:
    getattr(form, error.field).errors = [*getattr(form, error.field).errors, str(error)]


@bp.get("/")
@editors
def index():
    """Each category's items, newest first, hidden ones too (marked)."""
    wanted = request.args.get("category", "")
    shown = [wanted] if wanted in CATEGORIES else list(CATEGORIES)
    groups = [(category, by_category(db(), category, include_hidden=True, limit=100))
              for category in shown]
    return render_template("admin/publications/index.html", groups=groups, categories=CATEGORIES,
                           current=wanted if wanted in CATEGORIES else "", confirm=ConfirmForm())


@bp.route("/new", methods=["GET", "POST"])
@editors
def create():
    form = PublicationForm(category=request.args.get("category") or CATEGORIES[0])
    if form.validate_on_submit():
        try:
            row = add_publication(db(), form.values(), by=current_user.username, now=_now())
        except PublicationError as error:
            _refuse(form, error)
        else:
            audit("publication_added", target=_target(row), detail=row.url)
            db().commit()
            flash(f"已添加《{row.title}》", "success")
            return redirect(url_for(".index", category=row.category))
    return render_template("admin/publications/form.html", form=form, row=None)


@bp.route("/<int:publication_id>/edit", methods=["GET", "POST"])
@editors
def edit(publication_id: int):
    row = _row_or_404(publication_id)
    form = PublicationForm(obj=row) if request.method == "GET" else PublicationForm()
    if form.validate_on_submit():
        before = (row.category, row.title, row.summary, row.url, row.picture_url)
        try:
            change_publication(row, form.values())
        except PublicationError as error:
            _refuse(form, error)
        else:
            after = (row.category, row.title, row.summary, row.url, row.picture_url)
            if after != before:
                changed = [label for label, old, new in zip(
                    ("类别", "标题", "摘要", "链接", "封面"), before, after, strict=True) if old != new]
                audit("publication_changed", target=_target(row), detail="修改" + "、".join(changed))
                db().commit()
                flash(f"已保存《{row.title}》", "success")
            return redirect(url_for(".index", category=row.category))
    return render_template("admin/publications/form.html", form=form, row=row)


@bp.post("/<int:publication_id>/hidden")
@editors
def toggle_hidden(publication_id: int):
    """Hide an item (offered no more) or show it again."""
    row = _row_or_404(publication_id)
    if ConfirmForm().validate_on_submit():
        row.hidden = not row.hidden
        audit("publication_hidden" if row.hidden else "publication_shown", target=_target(row))
        db().commit()
        flash(f"已{'隐藏' if row.hidden else '恢复显示'}《{row.title}》", "success")
    return redirect(url_for(".index", category=row.category))
