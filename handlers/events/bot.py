"""The bot's event commands: 活动 (and EVENT_LIST), 报名 <编号> (a dialog when the event asks for
guests, a T-shirt size or answers), 取消报名 <编号>, 确认 <编号>, 我的活动 (and EVENT_MINE).

The routing table (wechat_bot/conversation/routes.py) points here; the rules are signup.py's and
waitlist.py's, this module reads the alumnus's words and says the results. The dialog asks one
question per message: guests → shirt size → each question, then signs up. 取消 leaves it
anywhere (the router's rule), and another event command typed meanwhile is that command.
"""

from __future__ import annotations

import re
from enum import StrEnum

from handlers.context import Article, Context, News
from handlers.dialog import Dialog, step
from handlers.events import texts
from handlers.events.browse import seats_line, visible_events
from handlers.events.signup import (
    Extras,
    SignedUp,
    SignupRefused,
    asks_anything,
    cancel,
    check_signup,
    confirm,
    get_event,
    my_registrations,
    questions,
    sign_up,
    zone,
)
from handlers.settings import Settings
from models import Alumnus
from models.event import RegistrationStatus

NUMBER = re.compile(r"#?(\d{1,9})")


class SignupStep(StrEnum):   # the values are what Redis keeps: never rename a value
    GUESTS = "guests"
    SHIRT = "shirt"
    QUESTION = "question"


# --- 活动 ---------------------------------------------------------------------------------------------

def list_command(ctx: Context):
    listed = visible_events(ctx.session, ctx.user.id, now=ctx.now, settings=ctx.settings)
    if not listed:
        bound = ctx.session.query(Alumnus.id).filter(Alumnus.wechat_user_id == ctx.user.id).first()
        return texts.LIST_NONE if bound else texts.LIST_NONE_UNBOUND
    tz = zone(ctx.settings)
    if len(listed) == 1 and listed[0].event.picture_url:
        # One article per reply to a message (PROTOCOL.md): the one event as a card with its picture.
        e = listed[0].event
        return News((Article(
            title=f"【{e.id}】{e.title}",
            description=texts.CARD_DESCRIPTION.format(when=texts.when(e.starts_at, tz), place=e.place,
                                                      seats=seats_line(listed[0], ctx.now, ctx.settings),
                                                      number=e.id),
            picture_url=e.picture_url),))
    lines = [texts.LIST_HEAD]
    for item in listed:
        e = item.event
        lines.append(texts.LIST_ITEM.format(number=e.id, title=e.title, when=texts.when(e.starts_at, tz),
                                            place=e.place, seats=seats_line(item, ctx.now, ctx.settings)))
    lines.append(texts.LIST_TAIL.format(example=listed[0].event.id))
    return "\n\n".join(lines)


# --- 报名 <编号> ----------------------------------------------------------------------------------------

def signup_command(ctx: Context) -> str:
    match = NUMBER.fullmatch(ctx.args.strip())
    if match is None:
        return texts.USAGE
    number = int(match.group(1))
    try:
        event = get_event(ctx.session, number)
        existing = check_signup(ctx.session, event, ctx.user, now=ctx.now, settings=ctx.settings)
    except SignupRefused as refused:
        return refused.reason
    if not asks_anything(event):
        return _sign_up(ctx, number, Extras(), checked=(event, existing))
    ctx.dialog.start(SIGNUP_DIALOG, SignupStep.GUESTS, event=number, guests=0, shirt=None, answers={},
                     question=0)
    return _next_question(ctx, event)


def _next_question(ctx: Context, event=None) -> str:
    """Ask what is still unasked, or sign up when all is answered."""
    data = ctx.dialog.data
    if event is None:
        try:
            event = get_event(ctx.session, data["event"])
        except SignupRefused as refused:
            ctx.dialog.end()
            return refused.reason
    step_now = SignupStep(ctx.dialog.step)
    if step_now is SignupStep.GUESTS and event.max_guests > 0 and "guests_asked" not in data:
        ctx.dialog.goto(SignupStep.GUESTS, guests_asked=True)
        return texts.ASK_GUESTS.format(title=event.title, max=event.max_guests) + texts.DIALOG_TAIL
    if step_now in (SignupStep.GUESTS,) and event.ask_shirt_size:
        ctx.dialog.goto(SignupStep.SHIRT)
        return texts.ASK_SHIRT.format(sizes=" / ".join(texts.SHIRT_SIZES)) + texts.DIALOG_TAIL
    asked = questions(event)
    index = data.get("question", 0)
    if index < len(asked):
        ctx.dialog.goto(SignupStep.QUESTION, question=index)
        return texts.ASK_QUESTION.format(question=asked[index]) + texts.DIALOG_TAIL
    ctx.dialog.end()
    return _sign_up(ctx, event.id, Extras(guests=data.get("guests", 0), shirt_size=data.get("shirt"),
                                          answers=dict(data.get("answers") or {})))


def guests_step(ctx: Context) -> str:
    event = _dialog_event(ctx)
    if isinstance(event, str):
        return event
    answer = ctx.args.strip().rstrip("人位个").strip()
    if answer.lower() in texts.NONE_WORDS:
        answer = "0"
    if not (answer.isdigit() and 0 <= int(answer) <= event.max_guests):
        return texts.R_GUESTS.format(max=event.max_guests)
    ctx.dialog.goto(SignupStep.GUESTS, guests=int(answer))
    if event.ask_shirt_size:
        ctx.dialog.goto(SignupStep.SHIRT)
        return texts.ASK_SHIRT.format(sizes=" / ".join(texts.SHIRT_SIZES)) + texts.DIALOG_TAIL
    ctx.dialog.goto(SignupStep.QUESTION, question=0)
    return _next_question(ctx, event)


def shirt_step(ctx: Context) -> str:
    event = _dialog_event(ctx)
    if isinstance(event, str):
        return event
    size = ctx.args.strip().upper().replace(" ", "").removesuffix("码")
    if size not in texts.SHIRT_SIZES:
        return texts.R_SHIRT.format(sizes=" / ".join(texts.SHIRT_SIZES))
    ctx.dialog.goto(SignupStep.QUESTION, shirt=size, question=0)
    return _next_question(ctx, event)


def question_step(ctx: Context) -> str:
    event = _dialog_event(ctx)
    if isinstance(event, str):
        return event
    asked = questions(event)
    index = ctx.dialog.data.get("question", 0)
    answer = ctx.args.strip()
    if index >= len(asked):
        return _next_question(ctx, event)
    if not answer:
        return texts.R_ANSWER.format(question=asked[index])
    if len(answer) > texts.ANSWER_CHARS:
        return texts.R_ANSWER_LONG.format(max=texts.ANSWER_CHARS)
    answers = dict(ctx.dialog.data.get("answers") or {})
    answers[asked[index]] = answer
    ctx.dialog.goto(SignupStep.QUESTION, answers=answers, question=index + 1)
    return _next_question(ctx, event)


def _dialog_event(ctx: Context):
    try:
        return get_event(ctx.session, ctx.dialog.data["event"])
    except SignupRefused as refused:
        ctx.dialog.end()
        return refused.reason


def _sign_up(ctx: Context, number: int, extras: Extras, checked=None) -> str:
    try:
        # It commits the request (the event row's lock ends with its last statement); what is left
        # here only builds the reply.
        done = sign_up(ctx.session, ctx.user, number, extras, now=ctx.now, settings=ctx.settings,
                       channel="bot", checked=checked, commit=True)
    except SignupRefused as refused:
        return refused.reason
    return signed_up_text(done, ctx.settings)


def signed_up_text(done: SignedUp, settings: Settings) -> str:
    """What the alumnus reads after signing up, from the bot or the API."""
    e, r = done.event, done.registration
    if done.waitlisted:
        return texts.WAITLISTED.format(title=e.title, position=done.place_in_line, number=e.id,
                                       hours=_hours(settings.events.claim_hours))
    party = texts.PARTY_GUESTS.format(guests=r.guests, people=1 + r.guests) if r.guests else texts.PARTY_ALONE
    return texts.SIGNED_UP.format(title=e.title, when=texts.when(e.starts_at, zone(settings)),
                                  place=e.place, party=party, registration=r.id, number=e.id)


# --- 取消报名 <编号>, 确认 <编号> ---------------------------------------------------------------------

def cancel_command(ctx: Context) -> str:
    match = NUMBER.fullmatch(ctx.args.strip())
    if match is None:
        return texts.CANCEL_USAGE
    try:
        registration, held = cancel(ctx.session, ctx.user, int(match.group(1)), now=ctx.now,
                                    settings=ctx.settings, notify=ctx.notify)
    except SignupRefused as refused:
        return refused.reason
    return texts.CANCELLED.format(title=registration.event.title,
                                  freed=texts.CANCELLED_FREED if held else texts.CANCELLED_WAITING)


def confirm_command(ctx: Context) -> str:
    match = NUMBER.fullmatch(ctx.args.strip())
    if match is None:
        return texts.CONFIRM_USAGE
    try:
        registration = confirm(ctx.session, ctx.user, int(match.group(1)), now=ctx.now,
                               settings=ctx.settings)
    except SignupRefused as refused:
        return refused.reason
    e = registration.event
    return texts.CONFIRMED.format(title=e.title, when=texts.when(e.starts_at, zone(ctx.settings)), place=e.place)


# --- 我的活动 ----------------------------------------------------------------------------------------

def mine_command(ctx: Context) -> str:
    mine = my_registrations(ctx.session, ctx.user, now=ctx.now)
    if not mine:
        return texts.MINE_NONE
    tz = zone(ctx.settings)
    items = [texts.MINE_HEAD]
    for m in mine:
        r, e = m.registration, m.event
        if r.status is RegistrationStatus.CONFIRMED:
            party = texts.PARTY_GUESTS.format(guests=r.guests, people=1 + r.guests) if r.guests \
                else texts.PARTY_ALONE
            state = texts.MINE_CONFIRMED.format(party=party, registration=r.id)
            if r.checked_in_at is not None:
                state += "，" + texts.MINE_CHECKED_IN
            else:
                state += "\n" + texts.MINE_CODE.format(number=e.id)
        elif r.status is RegistrationStatus.WAITLISTED:
            state = texts.MINE_WAITLISTED.format(position=m.place_in_line)
        else:
            state = texts.MINE_OFFERED.format(expires=texts.when(r.offer_expires_at, tz), number=e.id)
        items.append(texts.MINE_ITEM.format(number=e.id, title=e.title, when=texts.when(e.starts_at, tz),
                                            place=e.place, state=state))
    items.append(texts.MINE_TAIL)
    return "\n\n".join(items)


def _hours(hours: float) -> str:
    return str(int(hours)) if float(hours).is_integer() else f"{hours:g}"


def _commands_win(handler):
    """A step that yields to the event commands: 我的活动 or 报名 3 typed mid-dialog is that command."""

    def answer(ctx: Context):
        text = ctx.args.strip()
        for word, command in _COMMANDS:
            rest = text[len(word):]
            if text.startswith(word) and (rest == "" or rest[0] in " #" or rest.strip().isdigit()):
                ctx.dialog.end()
                ctx.args = text[len(word):].strip()
                return command(ctx)
        return handler(ctx)

    answer.__name__ = answer.__qualname__ = handler.__name__
    return answer


# Longest first: 取消报名 before 报名.
_COMMANDS = (("取消报名", cancel_command), ("我的活动", mine_command), ("报名", signup_command),
             ("确认", confirm_command), ("活动", list_command))

SIGNUP_DIALOG = Dialog("events-signup", {
    SignupStep.GUESTS: step(_commands_win(guests_step)),
    SignupStep.SHIRT: step(_commands_win(shirt_step)),
    SignupStep.QUESTION: step(question_step)})
