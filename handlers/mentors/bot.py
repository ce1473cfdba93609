"""The bot's mentor commands: 导师 (find), 成为导师 (a dialog), 暂停/恢复/退出导师, 请求导师 (with a
dialog step for the contact), 接受 / 婉拒, 撤回请求, 我的导师. The rules live beside this file."""

from __future__ import annotations

import re
from enum import StrEnum
from zoneinfo import ZoneInfo

from handlers.context import Context, logged_as
from handlers.dialog import Dialog, step
from handlers.directory.binding import bound_records
from handlers.directory.privacy import current_privacy
from handlers.mentors import texts
from handlers.mentors.contact import KIND_WORDS, Contact, ContactError, parse_contact
from handlers.mentors.errors import MentorError
from handlers.mentors.listing import find_mentors
from handlers.mentors.offers import (
    check_cap,
    clean_field,
    mentor_of,
    save_mentor,
    set_mentor_status,
)
from handlers.mentors.people import public_people
from handlers.mentors.requests import (
    answer_request,
    clean_message,
    my_requests,
    requestable_mentor,
    send_request,
    withdraw_request,
)
from models import ContactKind, MentorStatus, Privacy

PAGE_SIZE = 5
_REQUEST = re.compile(r"^\s*(?:请求导师)?\s*#?(\d{1,9})\s*(.*)$", re.S)


class OfferStep(StrEnum):  # the values are what Redis keeps: never rename a value
    INDUSTRY = "industry"
    CITY = "city"
    TOPICS = "topics"
    CONTACT = "contact"
    CAP = "cap"


class RequestStep(StrEnum):
    CONTACT = "contact"


def _said(ctx: Context) -> str:
    """What the user typed, punctuation kept as typed (the router's args fold it away)."""
    return (ctx.message.text or ctx.args).strip()


def _number(args: str) -> int | None:
    digits = args.strip().lstrip("#").strip()
    return int(digits) if digits.isdigit() else None


def mask_contact(text: str) -> str:
    """The message log keeps which kind of contact was chosen, never the WeChat ID, phone or
    e-mail itself (shown only to the other side of an accepted request)."""
    said = (text or "").strip()
    word = next((w for w in sorted(KIND_WORDS, key=len, reverse=True) if said.lower().startswith(w)), "")
    return f"{word} ***" if word and said[len(word):].strip() else (word or "***")


def find_command(ctx: Context) -> str:
    """`导师`: the usage and the first mentors; `导师 互联网 上海 [页]`: a search."""
    if not bound_records(ctx.session, ctx.user):
        return f"{texts.NOT_BOUND}\n\n{texts.USAGE}"
    words = ctx.args.split()
    page = 1
    if words and words[-1].isdigit():
        page = int(words.pop())
    found = find_mentors(ctx.session, words=words, page=page, size=PAGE_SIZE, now=ctx.now,
                         zone=ZoneInfo(ctx.settings.timezone))
    query = " ".join(words)
    if not found.mentors:
        if query:
            return texts.NONE_FOUND.format(query=query)
        return f"{texts.USAGE}\n\n{texts.NO_MENTORS_YET}"
    more = (f"导师 {query + ' ' if query else ''}{found.page + 1}"
            if found.page < found.pages else None)
    heading = (f"找到 {found.total} 位「{query}」的导师：" if query
               else f"{texts.USAGE}\n\n校友导师（共 {found.total} 位）：")
    return texts.mentor_list(found, heading, more)


# --- becoming a mentor ------------------------------------------------------------------------

def offer_command(ctx: Context) -> str:
    records = bound_records(ctx.session, ctx.user)
    if not records:
        return texts.NOT_BOUND
    industry = next((r.current_industry for r in records if r.current_industry), None)
    city = next((r.current_city for r in records if r.current_city), None)
    ctx.dialog.start(OFFER_DIALOG, OfferStep.INDUSTRY, profile_industry=industry, profile_city=city)
    return texts.ASK_INDUSTRY.format(hint=_hint(industry))


def _hint(value: str | None) -> str:
    return texts.SAME_AS_PROFILE.format(value=value) if value else ""


def _field(ctx: Context, name: str, profile_key: str) -> str:
    said = _said(ctx)
    if said in texts.SAME_WORDS and ctx.dialog.data.get(profile_key):
        said = ctx.dialog.data[profile_key]
    return clean_field(name, said)


def industry_step(ctx: Context) -> str:
    try:
        industry = _field(ctx, "industry", "profile_industry")
    except MentorError as refused:
        return refused.message
    ctx.dialog.goto(OfferStep.CITY, industry=industry)
    return texts.ASK_CITY.format(hint=_hint(ctx.dialog.data.get("profile_city")))


def city_step(ctx: Context) -> str:
    try:
        city = _field(ctx, "city", "profile_city")
    except MentorError as refused:
        return refused.message
    ctx.dialog.goto(OfferStep.TOPICS, city=city)
    return texts.ASK_TOPICS


def topics_step(ctx: Context) -> str:
    try:
        topics = clean_field("topics", _said(ctx))
    except MentorError as refused:
        return refused.message
    ctx.dialog.goto(OfferStep.CONTACT, topics=topics)
    return texts.ASK_CONTACT


@logged_as(mask_contact)
def contact_step(ctx: Context) -> str:
    try:
        contact = parse_contact(_said(ctx), bound_records(ctx.session, ctx.user))
    except ContactError as wrong:
        return str(wrong)
    ctx.dialog.goto(OfferStep.CAP, contact_kind=contact.kind.value, contact_value=contact.value)
    return texts.ASK_CAP.format(most=ctx.settings.mentors.max_monthly_cap)


def cap_step(ctx: Context) -> str:
    data = ctx.dialog.data
    try:
        cap = check_cap(ctx.args, ctx.settings.mentors)
        contact = Contact(ContactKind(data["contact_kind"]), data.get("contact_value"))
        mentor = save_mentor(ctx.session, ctx.user, industry=data["industry"], city=data["city"],
                             topics=data["topics"], contact=contact, monthly_cap=cap, now=ctx.now,
                             settings=ctx.settings.mentors)
    except MentorError as refused:
        if refused.code == "invalid":
            return refused.message
        ctx.dialog.end()
        return refused.message
    ctx.dialog.end()
    hidden = current_privacy(bound_records(ctx.session, ctx.user)) is Privacy.HIDDEN
    return texts.mentor_saved(mentor, contact.shown(), hidden)


def _set_status(ctx: Context, status: MentorStatus, done: str) -> str:
    if not bound_records(ctx.session, ctx.user):
        return texts.NOT_BOUND
    try:
        set_mentor_status(ctx.session, ctx.user, status, now=ctx.now, notify=ctx.notify)
    except MentorError as refused:
        return refused.message
    return done


def pause_command(ctx: Context) -> str:
    return _set_status(ctx, MentorStatus.PAUSED, texts.PAUSED)


def resume_command(ctx: Context) -> str:
    return _set_status(ctx, MentorStatus.ACTIVE, texts.RESUMED)


def withdraw_command(ctx: Context) -> str:
    return _set_status(ctx, MentorStatus.WITHDRAWN, texts.WITHDRAWN)


# --- requests ---------------------------------------------------------------------------------

def request_command(ctx: Context) -> str:
    """`请求导师 <编号> <一句话>`: checked now, then one question: the contact to share."""
    match = _REQUEST.match(ctx.message.text or "")
    if not match:
        match = _REQUEST.match(ctx.args)
    if not match:
        return texts.REQUEST_USAGE
    mentor_id, message = int(match.group(1)), match.group(2)
    try:
        message = clean_message(message)
        requestable_mentor(ctx.session, ctx.user, mentor_id, now=ctx.now, settings=ctx.settings)
    except MentorError as refused:
        return refused.message
    ctx.dialog.start(REQUEST_DIALOG, RequestStep.CONTACT, mentor_id=mentor_id, message=message)
    return texts.ASK_MENTEE_CONTACT.format(mentor=mentor_id)


@logged_as(mask_contact)
def mentee_contact_step(ctx: Context) -> str:
    try:
        contact = parse_contact(_said(ctx), bound_records(ctx.session, ctx.user))
    except ContactError as wrong:
        return str(wrong)
    data = ctx.dialog.data
    ctx.dialog.end()
    try:
        request = send_request(ctx.session, ctx.user, int(data["mentor_id"]), data["message"],
                               contact, now=ctx.now, settings=ctx.settings, notify=ctx.notify)
    except MentorError as refused:
        return refused.message
    mentor = public_people(ctx.session, [request.mentor.wechat_user_id])
    name = mentor[request.mentor.wechat_user_id].name if mentor else ""
    return texts.request_sent(request.id, name)


def _answer(ctx: Context, accept: bool) -> str:
    number = _number(ctx.args)
    if number is None:
        return texts.ANSWER_USAGE
    try:
        request = answer_request(ctx.session, ctx.user, number, accept=accept, now=ctx.now,
                                 notify=ctx.notify)
    except MentorError as refused:
        return refused.message
    if not accept:
        return texts.declined_reply(request.id)
    mentee = public_people(ctx.session, [request.mentee_user_id]).get(request.mentee_user_id)
    view = next(v for v in my_requests(ctx.session, ctx.user) if v.id == request.id)
    return texts.accepted_reply(request.id, mentee.line() if mentee else "对方", view.contact)


def accept_command(ctx: Context) -> str:
    return _answer(ctx, accept=True)


def decline_command(ctx: Context) -> str:
    return _answer(ctx, accept=False)


def withdraw_request_command(ctx: Context) -> str:
    number = _number(ctx.args)
    if number is None:
        return texts.WITHDRAW_USAGE
    try:
        request = withdraw_request(ctx.session, ctx.user, number, now=ctx.now, notify=ctx.notify)
    except MentorError as refused:
        return refused.message
    return texts.withdrew_reply(request.id)


def mine_command(ctx: Context) -> str:
    if not bound_records(ctx.session, ctx.user):
        return texts.NOT_BOUND
    mentor = mentor_of(ctx.session, ctx.user)
    return texts.mine(my_requests(ctx.session, ctx.user, limit=8),
                      texts.my_offer(mentor) if mentor else None)


# The routing table lists them with 成为导师 and 请求导师, which start them.
OFFER_DIALOG = Dialog("mentor-offer", {
    OfferStep.INDUSTRY: step(industry_step), OfferStep.CITY: step(city_step),
    OfferStep.TOPICS: step(topics_step), OfferStep.CONTACT: step(contact_step),
    OfferStep.CAP: step(cap_step)})
REQUEST_DIALOG = Dialog("mentor-request", {RequestStep.CONTACT: step(mentee_contact_step)})
