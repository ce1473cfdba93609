"""Alumni (/admin/alumni/), every role within its scope: search with the bot's lookup, and one
alumnus's page, whose phone and e-mail show only after a button (a POST, so CSRF-checked) that
writes `contact_viewed` to the audit log.

A college account sees its college's alumni, a liaison their chapter's bound members: the scope
is in the search's own statements (handlers.staff.alumni) and in the detail page's load
(`scoped_or_404`), so another college's alumnus is a 404 and never counted anywhere.
"""

from __future__ import annotations

from flask import Blueprint, render_template, request

from handlers.directory.lookup import QueryError, SearchFilters
from handlers.staff.alumni import alumnus_page, contact_of, search_for_staff
from models import Alumnus, Privacy, StaffRole
from wechat_bot.admin.audit import audit
from wechat_bot.admin.db import db
from wechat_bot.admin.forms import ConfirmForm
from wechat_bot.admin.guard import ALL_ROLES, current_scope, roles, scoped_or_404

bp = Blueprint("alumni", __name__, url_prefix="/alumni")

PER_PAGE = 20
# Deep pages cost every rank skip + page rows; a search this long wants more words instead.
MAX_PAGE = 100
CONTACT_ROLES = (StaffRole.ADMIN, StaffRole.STAFF, StaffRole.COLLEGE)
PRIVACY_LABELS = {Privacy.PUBLIC: "公开（所有已验证校友可查到）",
                  Privacy.CLASSMATES: "同学（仅同学院同届可查到）",
                  Privacy.HIDDEN: "隐藏（校友查不到）"}


def _filters() -> tuple[SearchFilters, list[str]]:
    problems = []
    year_text = (request.args.get("year") or "").strip()
    year = None
    if year_text:
        if year_text.isdigit() and len(year_text) == 4:
            year = int(year_text)
        else:
            problems.append(f"毕业年份「{year_text}」应为四位数字，已忽略")
    return SearchFilters(year=year, college=(request.args.get("college") or "").strip() or None,
                         city=(request.args.get("city") or "").strip() or None), problems


@bp.get("/")
@roles(*ALL_ROLES)
def index():
    """The search form and one page of results; nothing is searched until something is asked."""
    scope = current_scope()
    query = (request.args.get("q") or "").strip()
    filters, problems = _filters()
    page = min(max(request.args.get("page", 1, type=int), 1), MAX_PAGE)
    result = facts = None
    asked = bool(query or filters.year or filters.college or filters.city)
    if asked:
        try:
            result, facts = search_for_staff(db(), scope, query, page=page, per_page=PER_PAGE,
                                             filters=filters)
        except QueryError as exc:
            problems.append(str(exc))
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("admin/alumni.html", query=query, filters=filters, result=result,
                           facts=facts, problems=problems, asked=asked, args=args, scope=scope,
                           max_page=MAX_PAGE, privacy=Privacy)


def _render_alumnus(alumnus: Alumnus, contact: tuple[str | None, str | None] | None = None):
    page = alumnus_page(db(), current_scope(), alumnus)
    return render_template("admin/alumnus.html", page=page, contact=contact,
                           may_reveal=current_scope().role in CONTACT_ROLES,
                           confirm=ConfirmForm(), privacy_labels=PRIVACY_LABELS)


@bp.get("/<int:alumnus_id>")
@roles(*ALL_ROLES)
def detail(alumnus_id: int):
    """Records, binding, privacy, chapters, recent pushes; phone and e-mail hidden."""
    return _render_alumnus(scoped_or_404(Alumnus, alumnus_id))


@bp.post("/<int:alumnus_id>/contact")
@roles(*CONTACT_ROLES)
def contact(alumnus_id: int):
    """Show phone and e-mail once, and log that this person looked."""
    alumnus = scoped_or_404(Alumnus, alumnus_id)
    audit("contact_viewed", target=f"校友 {alumnus.student_id}", detail=alumnus.name)
    db().commit()
    return _render_alumnus(alumnus, contact_of(alumnus))
