"""The admin page at /admin (SPEC 7): a door onto the feature services, for staff in a browser.

How the pieces fit (and how a new page plugs in):

- `bp` is the admin blueprint; each page is a module here with its own blueprint, nested in `bp`
  by `_nest_pages` (one line per page), so its endpoints are `admin.<page>.<view>`.
- Every request under /admin passes `guard.before_admin_request`: the login (deny by default:
  only the login form and the static files are open), the idle timeout, the view's roles (a
  view without `@roles(...)` answers 403 to everyone) and CSRF on every POST.
- `guard.roles(...)` declares who may open a view; `guard.current_scope()` is the viewer's
  `handlers.staff.scope.Scope`: apply it to every query (`scope.apply(select(Alumnus), Alumnus)`)
  and load a detail row with `guard.scoped_or_404(Alumnus, alumnus_id)`.
- `db.db()` is the request's database session; a view commits once when its change is whole
  (`db().commit()`), and anything uncommitted is rolled back when the request ends.
- `audit.audit(action, target, detail)` writes the audit log (flushes, commits with the change).
- `nav.NAV` is the menu: one `NavItem(title, endpoint)` line per page; an item shows to the roles
  its view's `@roles` lets in. A feature with several pages gives them one `group` (the top menu
  shows the group once; its pages become tabs under the header), as 秩年返校 does.
- Templates extend `admin/base.html` and fill the blocks `title` (the page's name, also the <h1>),
  `content`, optionally `actions` (buttons beside the heading) and `scripts` (page scripts, from
  the static folder: the Content-Security-Policy allows no inline script); `admin/forms.html`
  has the macros `field(form.x)` and `submit(label)`. Forms derive from `forms.AdminForm`
  (Chinese validation messages, CSRF token).

Example, a page listing alumni for the viewer's scope (the module wechat_bot/admin/alumni.py):

    bp = Blueprint("alumni", __name__, url_prefix="/alumni")

    @bp.get("/")
    @roles(*ALL_ROLES)
    def index():
        rows = db().scalars(current_scope().apply(select(Alumnus), Alumnus).limit(50))
        return render_template("admin/alumni.html", rows=rows)

    @bp.post("/<int:alumnus_id>/contact")
    @roles(StaffRole.ADMIN, StaffRole.STAFF, StaffRole.COLLEGE)
    def contact(alumnus_id: int):
        alumnus = scoped_or_404(Alumnus, alumnus_id)
        audit("contact_viewed", target=f"校友 {alumnus.student_id}")
        db().commit()
        ...

plus `alumni` in `_nest_pages` and `NavItem("校友", "admin.alumni.index")` in nav.NAV.
"""

from __future__ import annotations

from functools import cache

from flask import Blueprint, Flask

URL_PREFIX = "/admin"

bp = Blueprint("admin", __name__, template_folder="templates", static_folder="static",
               static_url_path="/static")


def init_app(app: Flask) -> None:
    """Mount the admin page on `app`: sessions, CSRF, the login manager, the pages."""
    from wechat_bot.admin import auth, db, guard, layout

    _nest_pages()
    guard.init_app(app)
    auth.init_app(app)
    db.init_app(app)
    layout.init_app(app)
    app.register_blueprint(bp, url_prefix=URL_PREFIX)


@cache
def _nest_pages() -> None:
    """Once per process: Flask lets a blueprint take no new child once it has been registered
    (tests and workers build many apps from the one `bp`)."""
    from wechat_bot.admin import (
        accounts,
        alerts,
        alumni,
        audit_log,
        auth,
        broadcasts,
        card_sites,
        chapters,
        circles,
        consent,
        dashboard,
        events,
        events_announce,
        events_qr,
        events_scan,
        guard,
        menu,
        publications,
        push_pages,
        reunion_bookings,
        reunion_calendar,
        reunion_college,
        reunion_dayplan,
        reunion_feedback,
        reunion_outreach,
        reunion_scan,
        roster,
        verification,
    )

    guard.install(bp)
    for page in (auth, dashboard, accounts, audit_log, roster, alumni, broadcasts, push_pages,
                 consent, alerts, verification, chapters, menu, reunion_calendar, reunion_bookings,
                 reunion_college, reunion_dayplan, reunion_feedback, publications, reunion_outreach,
                 reunion_scan, events, events_announce, events_qr, events_scan, card_sites,
                 circles):
        bp.register_blueprint(page.bp)
