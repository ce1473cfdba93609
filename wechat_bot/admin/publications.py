"""The publications library (/admin/publications/, 刊物与新闻): 校园新闻, 校报, 校友通讯, 校史.

Staff keep here what features offer alumni: 新闻 and the NEWS button (handlers.publications.bot),
`GET /api/v1/news`, and the week-before reunion reminder's news cards (handlers.reunion.reminders).
An item links to a web page or to a PDF uploaded here, with a cover given by address or uploaded
(handlers.publications.files checks both; they are served at unguessable addresses). An item is
added, edited or hidden (kept for the pushes that already link it, offered no more), never
deleted, and announced once to its category's subscribers (推送给订阅者); each change is audited.
admin and staff only: the library is the school's, not a college's.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf.file import FileField
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import SelectField, StringField, SubmitField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from handlers.consent.preferences import opt_out_counts
from handlers.publications import announce as announcing
from handlers.publications.categories import CATEGORIES, consent_key
from handlers.publications.files import (
    COVER_MAX_BYTES,
    PDF_MAX_BYTES,
    Upload,
    check_cover,
    check_pdf,
    store_upload,
)
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
from scheduler.outbox import queue_push
from wechat_bot.admin.audit import audit
from wechat_bot.admin.db import db
from wechat_bot.admin.forms import REQUIRED, AdminForm, ConfirmForm
from wechat_bot.admin.guard import roles
from wechat_bot.api.news import file_url
from wechat_bot.runtime import current_runtime

bp = Blueprint("publications", __name__, url_prefix="/publications")
editors = roles(StaffRole.ADMIN, StaffRole.STAFF)
# A form with both files, and its fields: above the app's 1 MB (the roster page does the same).
MAX_FORM_BYTES = COVER_MAX_BYTES + PDF_MAX_BYTES + 256 * 1024
TOO_LARGE = (f"上传的文件太大：封面最大 {COVER_MAX_BYTES // 1024 // 1024} MB，"
             f"PDF 最大 {PDF_MAX_BYTES // 1024 // 1024} MB")


class PublicationForm(AdminForm):
    category = SelectField("类别", choices=[SelectChoice(c, c) for c in CATEGORIES])
    title = StringField("标题", validators=[DataRequired(REQUIRED), Length(max=TITLE_MAX)],
                        description=f"最多 {TITLE_MAX} 个字（微信图文卡片的上限）")
    summary = TextAreaField("摘要", validators=[Optional(), Length(max=500)],
                            description="图文卡片上标题下方的一两句话")
    url = StringField("链接", validators=[Optional(), Length(max=URL_MAX)],
                      description="点开卡片打开的网址，须以 http:// 或 https:// 开头；上传了 PDF 时可不填")
    pdf = FileField("或上传 PDF", description=f"校报、校友通讯等的 PDF，最大 {PDF_MAX_BYTES // 1024 // 1024} MB；"
                                              "上传后卡片打开这个 PDF（替换上面的链接）")
    picture_url = StringField("封面图片", validators=[Optional(), Length(max=URL_MAX)],
                              description="可不填；填写时须为 http(s) 网址")
    cover = FileField("或上传封面", description=f"JPG 或 PNG，最大 {COVER_MAX_BYTES // 1024 // 1024} MB，"
                                              "建议 900×500 像素；上传后替换上面的封面地址")
    submit = SubmitField("保存")

    def values(self) -> PublicationInput:
        return PublicationInput(self.category.data or "", self.title.data or "", self.url.data or "",
                                self.summary.data or "", self.picture_url.data or "")


@bp.before_app_request
def _allow_file_uploads() -> None:
    # Before the admin's guard reads the form for its CSRF token, which is when the size is checked.
    if request.endpoint in ("admin.publications.create", "admin.publications.edit") \
            and request.method == "POST":
        request.max_content_length = MAX_FORM_BYTES


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    flash(TOO_LARGE, "error")
    return redirect(url_for(".index"))


def _uploads(form: PublicationForm) -> tuple[Upload | None, Upload | None]:
    """The form's cover and PDF, checked (PublicationError on the first bad one)."""
    found = []
    for field, check, limit in ((form.cover, check_cover, COVER_MAX_BYTES),
                                (form.pdf, check_pdf, PDF_MAX_BYTES)):
        upload = field.data
        if upload is None or not getattr(upload, "filename", ""):
            found.append(None)
            continue
        found.append(check(upload.read(limit + 1)))
    return found[0], found[1]


def _with_uploads(values: PublicationInput, cover: Upload | None,
                  pdf: Upload | None) -> PublicationInput:
    """An uploaded file's address replaces the typed one."""
    base = current_runtime().config.app.base_url
    return PublicationInput(values.category, values.title,
                            file_url(base, pdf) if pdf else values.url, values.summary,
                            file_url(base, cover) if cover else values.picture_url)


def _store(row: Publication, *uploads: Upload | None) -> None:
    for upload in uploads:
        if upload is not None:
            store_upload(db(), row, upload, by=current_user.username, now=_now())


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
    subscribers = opt_out_counts(db(), opted_out=False)
    counts = {category: subscribers.get(consent_key(category), 0) for category in CATEGORIES}
    return render_template("admin/publications/index.html", groups=groups, categories=CATEGORIES,
                           current=wanted if wanted in CATEGORIES else "", confirm=ConfirmForm(),
                           subscribers=counts)


@bp.route("/new", methods=["GET", "POST"])
@editors
def create():
    form = PublicationForm(category=request.args.get("category") or CATEGORIES[0])
    if form.validate_on_submit():
        try:
            cover, pdf = _uploads(form)
            row = add_publication(db(), _with_uploads(form.values(), cover, pdf),
                                  by=current_user.username, now=_now())
        except PublicationError as error:
            _refuse(form, error)
        else:
            _store(row, cover, pdf)
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
            cover, pdf = _uploads(form)
            change_publication(row, _with_uploads(form.values(), cover, pdf))
            _store(row, cover, pdf)
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


@bp.post("/<int:publication_id>/announce")
@editors
def announce(publication_id: int):
    """Push the item, once, to whoever subscribed to its category (推送给订阅者)."""
    row = _row_or_404(publication_id)
    back = redirect(url_for(".index", category=row.category))
    if not ConfirmForm().validate_on_submit():
        return back
    problem = announcing.refusal(row)
    if problem is None and not announcing.take_turn(db(), row, by=current_user.username,
                                                    now=_now()):
        problem = announcing.refusal(row) or "这一条已经推送过订阅者"
    if problem:
        flash(problem, "error")
        return back
    push = queue_push(db(), text=announcing.announcement_text(row), audience=announcing.AUDIENCE,
                      kind="broadcast", category=announcing.category_of(row),
                      custom_message=announcing.announcement_card(row),
                      created_by=f"admin:{current_user.username}", now=_now())
    audit("publication_announced", target=_target(row),
          detail=f"推送 #{push.id}，{row.category}订阅者 {push.recipient_count} 人")
    db().commit()
    flash(f"已推送《{row.title}》给 {push.recipient_count} 位{row.category}订阅者", "success")
    return back
