"""Consent (/admin/consent/): the push categories and how many alumni opted out of each
(issue 20 item 7). The choices themselves are the alumni's, made in the bot or the mini-program."""

from __future__ import annotations

from flask import Blueprint, render_template

from handlers.consent.categories import CATEGORIES
from handlers.consent.preferences import opt_out_counts
from models import StaffRole
from wechat_bot.admin.db import db
from wechat_bot.admin.guard import roles

bp = Blueprint("consent", __name__, url_prefix="/consent")


@bp.get("/")
@roles(StaffRole.ADMIN, StaffRole.STAFF)
def index():
    """Counts are everyone's: no college or chapter account sees them."""
    counts = opt_out_counts(db())
    subscribers = opt_out_counts(db(), opted_out=False)
    return render_template("admin/consent.html", categories=CATEGORIES, counts=counts,
                           subscribers=subscribers)
