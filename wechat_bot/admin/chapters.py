"""Chapters and liaisons (/admin/chapters/): the list, a chapter's page with its members, edit,
liaisons, and the chapters file's import (SPEC 9, as `alumni-bot import-chapters` reads it).

admin and staff see and change every chapter. A liaison sees their own chapter only (another's
id answers 404) and edits its intro and the liaisons' published contact. A college account has no
business here (chapters are not a college's): the views answer it 403 and the menu hides them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for

from handlers.chapters import editing
from handlers.chapters.columns import KIND_NAMES
from handlers.chapters.importing import RowError
from handlers.chapters.listing import chapter_members, list_chapters
from models import Chapter, StaffRole
from models.chapter import ChapterKind
from wechat_bot.admin.audit import audit
from wechat_bot.admin.chapter_forms import ChapterForm, ContactForm, IntroForm, LiaisonForm
from wechat_bot.admin.chapters_import import import_file
from wechat_bot.admin.db import db
from wechat_bot.admin.forms import ConfirmForm
from wechat_bot.admin.guard import current_scope, roles, scoped_or_404
from wechat_bot.runtime import current_runtime

bp = Blueprint("chapters", __name__, url_prefix="/chapters")
VIEWERS = (StaffRole.ADMIN, StaffRole.STAFF, StaffRole.LIAISON)
managers = roles(StaffRole.ADMIN, StaffRole.STAFF)
bp.add_url_rule("/import", view_func=import_file, methods=["GET", "POST"])
KINDS = {kind.value: kind for kind in ChapterKind}


def _now() -> datetime:
    return datetime.now(UTC)


def _target(chapter: Chapter) -> str:
    return f"分会 {chapter.name}"


def _page_size() -> int:
    return current_runtime().config.admin.page_size


@bp.get("/")
@roles(*VIEWERS)
def index():
    """Every chapter the viewer may see, with liaisons and member counts; filter by kind."""
    wanted = KINDS.get(request.args.get("kind", ""))
    page = list_chapters(db(), current_scope(), kind=wanted, per_page=_page_size(),
                         page=request.args.get("page", 1, type=int))
    return render_template("admin/chapters.html", page=page, kind=wanted, kinds=KIND_NAMES,
                           manage=current_scope().everything)


@bp.get("/<int:chapter_id>")
@roles(*VIEWERS)
def detail(chapter_id: int):
    """Details, liaisons (contact editable), members with their roster name, year and college."""
    chapter = scoped_or_404(Chapter, chapter_id)
    members = chapter_members(db(), current_scope(), chapter.id, per_page=_page_size(),
                              page=request.args.get("page", 1, type=int))
    return render_template("admin/chapter.html", chapter=chapter, members=members,
                           kinds=KIND_NAMES, statuses=editing.STATUS_NAMES,
                           manage=current_scope().everything, add=LiaisonForm(),
                           contact=ContactForm(), confirm=ConfirmForm())


@bp.route("/new", methods=["GET", "POST"])
@managers
def create():
    form = ChapterForm()
    if form.validate_on_submit():
        try:
            chapter = editing.create_chapter(db(), form.data, now=_now())
        except RowError as exc:
            form.form_errors.append(str(exc))
        else:
            audit("chapter_created", target=_target(chapter))
            db().commit()
            flash(f"已新建{chapter.name}", "success")
            return redirect(url_for(".detail", chapter_id=chapter.id))
    return render_template("admin/chapter_form.html", form=form, chapter=None)


@bp.route("/<int:chapter_id>/edit", methods=["GET", "POST"])
@roles(*VIEWERS)
def edit(chapter_id: int):
    """admin and staff: every detail, checked as a row of the chapters file; a liaison: the intro."""
    chapter = scoped_or_404(Chapter, chapter_id)
    if not current_scope().everything:
        return _edit_intro(chapter)
    form = ChapterForm(data=editing.chapter_values(chapter))
    if form.validate_on_submit():
        target = _target(chapter)
        try:
            changes = editing.edit_chapter(db(), chapter, form.data, now=_now())
        except RowError as exc:
            form.form_errors.append(str(exc))
        else:
            if changes:
                audit("chapter_changed", target=target, detail="；".join(changes))
                db().commit()
                flash(f"已保存{chapter.name}", "success")
            return redirect(url_for(".detail", chapter_id=chapter.id))
    return render_template("admin/chapter_form.html", form=form, chapter=chapter)


def _edit_intro(chapter: Chapter):
    form = IntroForm(data={"intro": chapter.intro or ""})
    if form.validate_on_submit():
        if editing.set_intro(db(), chapter, form.intro.data or "", now=_now()):
            audit("chapter_changed", target=_target(chapter), detail="修改简介")
            db().commit()
            flash("简介已保存", "success")
        return redirect(url_for(".detail", chapter_id=chapter.id))
    return render_template("admin/chapter_form.html", form=form, chapter=chapter)


@bp.post("/<int:chapter_id>/liaisons")
@managers
def add_liaison(chapter_id: int):
    chapter = scoped_or_404(Chapter, chapter_id)
    form = LiaisonForm()
    if not form.validate_on_submit():
        flash("；".join(e for errors in form.errors.values() for e in errors), "error")
        return redirect(url_for(".detail", chapter_id=chapter.id))
    try:
        liaison = editing.add_liaison(db(), chapter, form.name.data, form.contact.data or "",
                                      form.student_id.data or "", now=_now())
    except RowError as exc:
        flash(str(exc), "error")
    else:
        audit("chapter_changed", target=_target(chapter),
              detail=f"添加联络员 {liaison.name}（{liaison.contact or '无联络方式'}）")
        db().commit()
        flash(f"已添加联络员 {liaison.name}", "success")
    return redirect(url_for(".detail", chapter_id=chapter.id))


def _liaison_or_404(chapter: Chapter, liaison_id: int):
    liaison = editing.find_liaison(chapter, liaison_id)
    if liaison is None:
        abort(404)
    return liaison


@bp.post("/<int:chapter_id>/liaisons/<int:liaison_id>/remove")
@managers
def remove_liaison(chapter_id: int, liaison_id: int):
    chapter = scoped_or_404(Chapter, chapter_id)
    liaison = _liaison_or_404(chapter, liaison_id)
    editing.remove_liaison(db(), chapter, liaison, now=_now())
    audit("chapter_changed", target=_target(chapter), detail=f"移除联络员 {liaison.name}")
    db().commit()
    flash(f"已移除联络员 {liaison.name}", "success")
    return redirect(url_for(".detail", chapter_id=chapter.id))


@bp.post("/<int:chapter_id>/liaisons/<int:liaison_id>")
@roles(*VIEWERS)
def liaison_contact(chapter_id: int, liaison_id: int):
    """A liaison's published contact (a liaison may correct their chapter's)."""
    chapter = scoped_or_404(Chapter, chapter_id)
    liaison = _liaison_or_404(chapter, liaison_id)
    form = ContactForm()
    if not form.validate_on_submit():
        flash("；".join(e for errors in form.errors.values() for e in errors), "error")
    else:
        before = liaison.contact or "（空）"
        if editing.set_liaison_contact(db(), liaison, form.contact.data or "", now=_now()):
            audit("chapter_changed", target=_target(chapter),
                  detail=f"联络员 {liaison.name} 的联络方式：{before} → {liaison.contact or '（空）'}")
            db().commit()
            flash(f"已保存 {liaison.name} 的联络方式", "success")
    return redirect(url_for(".detail", chapter_id=chapter.id))
