"""校友卡核验点 (/admin/card-sites/): the campus sites that check alumni cards, and their keys.

Staff name a site (东门闸机, 图书馆, 一食堂) and issue its key: the page shows the key once, in the
answer to that POST (never in a flash message, which travels in the session cookie, and never
again: only its hash is kept), for the site's device to send as `X-Site-Key` to
POST /api/v1/cards/verify. Revoking a site stops its key at once. Issuing and revoking are
audited; so is every check a site makes (as the site). admin and staff only.
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, flash, make_response, redirect, render_template, url_for
from flask_login import current_user
from wtforms import SelectField, StringField, SubmitField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length

from handlers.card.sites import KINDS, NAME_MAX, SiteRefused, all_sites, issue_site, revoke_site
from models import CardSite, StaffRole
from wechat_bot.admin.audit import audit
from wechat_bot.admin.db import db
from wechat_bot.admin.forms import REQUIRED, AdminForm, ConfirmForm
from wechat_bot.admin.guard import roles

bp = Blueprint("card_sites", __name__, url_prefix="/card-sites")
keepers = roles(StaffRole.ADMIN, StaffRole.STAFF)


class SiteForm(AdminForm):
    name = StringField("核验点名称", validators=[DataRequired(REQUIRED), Length(max=NAME_MAX)],
                       description="例如：东门闸机、图书馆、一食堂")
    kind = SelectField("类型", choices=[SelectChoice(k, label) for k, label in KINDS.items()])
    submit = SubmitField("签发密钥")


def _page(form: SiteForm, issued=None, status: int = 200):
    response = make_response(render_template(
        "admin/card_sites.html", sites=all_sites(db()), form=form, kinds=KINDS, issued=issued,
        confirm=ConfirmForm()), status)
    if issued is not None:
        response.headers["Cache-Control"] = "no-store"  # the key must not stay in a cache
    return response


@bp.get("/")
@keepers
def index():
    return _page(SiteForm())


@bp.post("/")
@keepers
def issue():
    form = SiteForm()
    if not form.validate_on_submit():
        return _page(form, status=422)
    try:
        issued = issue_site(db(), name=form.name.data or "", kind=form.kind.data or "",
                            actor=current_user.username, now=datetime.now(UTC))
    except SiteRefused as refusal:
        form.name.errors = [*form.name.errors, str(refusal)]
        return _page(form, status=422)
    audit("card_site_issued", target=f"核验点 {issued.site.name}",
          detail=f"{KINDS[issued.site.kind]} · 密钥尾号 {issued.site.key_hint}")
    db().commit()
    return _page(SiteForm(formdata=None), issued=issued)


@bp.post("/<int:site_id>/revoke")
@keepers
def revoke(site_id: int):
    site = db().get(CardSite, site_id)
    if site is None:
        abort(404)
    if ConfirmForm().validate_on_submit() and revoke_site(
            db(), site, actor=current_user.username, now=datetime.now(UTC)):
        audit("card_site_revoked", target=f"核验点 {site.name}", detail=f"密钥尾号 {site.key_hint}")
        db().commit()
        flash(f"已停用核验点「{site.name}」，它的密钥立即失效", "success")
    return redirect(url_for(".index"))
