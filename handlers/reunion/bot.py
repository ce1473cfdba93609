"""The bot's reunion commands: 返校 (and the booking dialog), 预约返校, 加入返校, 我的预约, 取消预约.

The routing table (wechat_bot/conversation/routes.py) points here. The rules are booking.py's and
eligibility.py's; this module only reads the alumnus's words and says the results. The booking
dialog asks one short question per message (a phone's keyboard): date → slot → headcount → needs
(letters, 好 for the defaults) → lodging if asked → a note → a summary to 确认. 取消 leaves it
anywhere (the router's rule).
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum

from handlers.context import Context
from handlers.dialog import Dialog, step
from handlers.directory.binding import bound_records
from handlers.reunion import texts
from handlers.reunion.booking import (
    DEFAULT_NEEDS,
    Booked,
    BookingRefused,
    Needs,
    book,
    cancel,
    check_join,
    get_booking,
    join,
    my_bookings,
)
from handlers.reunion.calendar import day_view, first_bookable_day, local_today, open_by_default
from handlers.reunion.eligibility import best, record_for_day, record_of_class, reply
from models import Alumnus
from models.reunion import HOLDING

LISTED_DAYS = 20
DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})")
NUMBER = re.compile(r"#?(\d{1,9})")
SPLIT = re.compile(r"[\s,，、;；]+")


class BookStep(StrEnum):   # the values are what Redis keeps: never rename a value
    DATE = "date"
    SLOT = "slot"
    PEOPLE = "people"
    NEEDS = "needs"
    LODGING = "lodging"
    NOTE = "note"
    CONFIRM = "confirm"


class JoinStep(StrEnum):
    COMPANIONS = "companions"


# --- 返校 -----------------------------------------------------------------------------------------

def info_command(ctx: Context) -> str:
    """`返校` and the REUNION_INFO button: the class's anniversary and open days; the dialog starts
    when there are days to choose from."""
    records = bound_records(ctx.session, ctx.user)
    if not records:
        return texts.NOT_BOUND
    record, found = best(ctx.session, records, ctx.now, ctx.settings)
    text = reply(found, ctx.settings, limit=LISTED_DAYS, member_id=record.id)
    if found.eligible and found.booking is None and found.days:
        days = [f"{d.day:%Y-%m-%d}" for d in found.days[:LISTED_DAYS]]
        ctx.dialog.start(BOOK_DIALOG, BookStep.DATE, alumnus=record.id, days=days)
    return text


def date_step(ctx: Context) -> str:
    data = ctx.dialog.data
    days = [dt.date.fromisoformat(d) for d in data["days"]]
    answer = ctx.args.strip()
    chosen = None
    if answer.isdigit() and 1 <= int(answer) <= len(days):
        chosen = days[int(answer) - 1]
    else:
        day = _date(answer)
        if day is not None and day in days:
            chosen = day
        elif day is not None:
            return texts.DATE_NOT_LISTED.format(day=texts.full_date(day))
    if chosen is None:
        return texts.ASK_DATE_AGAIN.format(example=f"{days[0]:%Y-%m-%d}")
    view = day_view(ctx.session, chosen, ctx.settings, venues=False)
    lines = [texts.ASK_SLOT_HEAD.format(day=texts.full_date(chosen))]
    for n, s in enumerate(view.slots, 1):
        left = min(s.left, view.people.left)
        lines.append(texts.SLOT_LINE.format(n=n, label=s.label, left=left) if left > 0
                     else texts.SLOT_FULL_LINE.format(n=n, label=s.label))
    ctx.dialog.goto(BookStep.SLOT, day=f"{chosen:%Y-%m-%d}",
                    slots=[[f"{s.starts:%H:%M}", s.label] for s in view.slots])
    return "\n".join(lines)


def slot_step(ctx: Context) -> str:
    data = ctx.dialog.data
    slots = data["slots"]
    answer = ctx.args.strip()
    if not (answer.isdigit() and 1 <= int(answer) <= len(slots)):
        return texts.ASK_SLOT_AGAIN.format(count=len(slots))
    starts, label = slots[int(answer) - 1]
    left = _slot_left(ctx, data["day"], starts)
    if left <= 0:
        return texts.R_FULL_SLOT.format(day=texts.full_date(dt.date.fromisoformat(data["day"])), slot=label) \
            + "\n" + texts.ASK_SLOT_AGAIN.format(count=len(slots))
    ctx.dialog.goto(BookStep.PEOPLE, slot=starts, slot_label=label, left=left)
    return texts.ASK_PEOPLE.format(left=left)


def people_step(ctx: Context) -> str:
    data = ctx.dialog.data
    answer = ctx.args.strip().removesuffix("人").strip()
    left = data["left"]
    if not (answer.isdigit() and 1 <= int(answer) <= left):
        return texts.ASK_PEOPLE_AGAIN.format(left=left)
    people = int(answer)
    view = day_view(ctx.session, dt.date.fromisoformat(data["day"]), ctx.settings)
    free = [v for v in view.venues if not v.taken and v.seats >= people]
    biggest = f"，最大 {max(v.seats for v in free)} 座" if free else ""
    ctx.dialog.goto(BookStep.NEEDS, people=people, lodging_left=view.lodging.left)
    return texts.ASK_NEEDS.format(tour=view.tour.left, people=people, lunch=view.lunch.left,
                                  dinner=view.dinner.left, venues=len(free), biggest=biggest,
                                  lodging=view.lodging.left, unit=ctx.settings.reunion.lodging_unit)


def needs_step(ctx: Context) -> str:
    answer = ctx.args.strip().upper().replace(" ", "")
    if answer.lower() in texts.DEFAULT_WORDS:
        letters = "AB"
    elif answer.lower() in texts.NONE_WORDS:
        letters = ""
    elif answer and all(c in "ABCDE,，、" for c in answer):
        letters = answer
    else:
        return texts.ASK_NEEDS_AGAIN
    ctx.dialog.goto(BookStep.NOTE if "E" not in letters else BookStep.LODGING,
                    tour="A" in letters, lunch="B" in letters, dinner="C" in letters,
                    venue="D" in letters, lodging=0)
    if "E" in letters:
        return texts.ASK_LODGING.format(unit=ctx.settings.reunion.lodging_unit,
                                        left=ctx.dialog.data["lodging_left"])
    return texts.ASK_NOTE


def lodging_step(ctx: Context) -> str:
    left = ctx.dialog.data["lodging_left"]
    answer = ctx.args.strip().rstrip("间床位个")
    if not (answer.isdigit() and 1 <= int(answer) <= left):
        return texts.ASK_LODGING_AGAIN.format(left=left)
    ctx.dialog.goto(BookStep.NOTE, lodging=int(answer))
    return texts.ASK_NOTE


def note_step(ctx: Context) -> str:
    note = ctx.args.strip()
    note = "" if note.lower() in texts.NONE_WORDS else note[:500]
    ctx.dialog.goto(BookStep.CONFIRM, note=note)
    data = ctx.dialog.data
    day = dt.date.fromisoformat(data["day"])
    summary = texts.needs_summary(people=data["people"], lodging=data["lodging"], venue=data["venue"],
                                  tour=data["tour"], lunch=data["lunch"], dinner=data["dinner"],
                                  note=note or None, unit=ctx.settings.reunion.lodging_unit)
    return "\n".join([texts.CONFIRM_HEAD, f"{texts.full_date(day)} {data['slot_label']}，{data['people']} 人",
                      summary, texts.CONFIRM_TAIL])


def confirm_step(ctx: Context) -> str:
    if ctx.args.strip().lower() not in texts.YES_WORDS:
        return texts.CONFIRM_AGAIN
    data = ctx.dialog.data
    ctx.dialog.end()
    alumnus = ctx.session.get(Alumnus, data["alumnus"])
    if alumnus is None or alumnus.wechat_user_id != ctx.user.id:
        return texts.NOT_BOUND
    needs = Needs(lodging=data["lodging"], venue_size=data["people"] if data["venue"] else 0,
                  tour=data["tour"], lunch=data["lunch"], dinner=data["dinner"], note=data["note"] or None)
    try:
        booked = book(ctx.session, alumnus, dt.date.fromisoformat(data["day"]), data["people"], needs,
                      dt.time.fromisoformat(data["slot"]), now=ctx.now, settings=ctx.settings,
                      channel="bot")
    except BookingRefused as refused:
        return refused.reason
    return booked_text(booked, ctx)


# --- 预约返校 YYYY-MM-DD 人数 ----------------------------------------------------------------------

def book_command(ctx: Context) -> str:
    """Books at once with the defaults (a tour and lunch; left out if the day has none left)."""
    records = bound_records(ctx.session, ctx.user)
    if not records:
        return texts.NOT_BOUND
    example = _example_day(ctx)
    parts = ctx.args.replace("人", " ").split()
    if len(parts) != 2 or not parts[1].isdigit():
        return texts.USAGE.format(example=example)
    day = _date(parts[0])
    if day is None:
        return texts.BAD_DATE.format(text=parts[0], example=example)
    record = record_for_day(records, day, ctx.settings)
    try:
        booked = book(ctx.session, record, day, int(parts[1]), DEFAULT_NEEDS, now=ctx.now,
                      settings=ctx.settings, channel="bot", optional=True)
    except BookingRefused as refused:
        return refused.reason
    return booked_text(booked, ctx)


def booked_text(booked: Booked, ctx: Context) -> str:
    b = booked.booking
    needs = texts.needs_summary(people=b.people, lodging=b.lodging, venue=booked.venue is not None,
                                tour=b.tour, lunch=b.lunch, dinner=b.dinner, note=b.note,
                                unit=ctx.settings.reunion.lodging_unit)
    venue = texts.BOOKED_VENUE.format(name=booked.venue.name, seats=booked.venue.seats) if booked.venue else ""
    text = texts.BOOKED.format(number=b.id, label=texts.class_label(b.graduation_year, b.college),
                               day=texts.full_date(b.day.day), slot=b.slot.label, people=b.people,
                               needs=needs, venue=venue)
    if booked.dropped:
        text += texts.DROPPED.format(what="、".join(texts.DROPPED_NAMES[d] for d in booked.dropped))
    return text


# --- 加入返校 <编号> --------------------------------------------------------------------------------

def join_command(ctx: Context) -> str:
    match = NUMBER.fullmatch(ctx.args.strip())
    if match is None:
        return texts.JOIN_USAGE
    records = bound_records(ctx.session, ctx.user)
    if not records:
        return texts.NOT_BOUND
    number = int(match.group(1))
    try:
        booking = _joinable(ctx, records, number)
    except BookingRefused as refused:
        return refused.reason
    ctx.dialog.start(JOIN_DIALOG, JoinStep.COMPANIONS, booking=number)
    return texts.ASK_COMPANIONS.format(number=number, day=texts.full_date(booking.day.day),
                                       label=texts.class_label(booking.graduation_year, booking.college),
                                       slot=booking.slot.label)


def companions_step(ctx: Context) -> str:
    answer = ctx.args.strip()
    names = [] if answer.lower() in texts.NONE_WORDS else [n for n in SPLIT.split(answer) if n]
    number = ctx.dialog.data["booking"]
    records = bound_records(ctx.session, ctx.user)
    try:
        # join checks what _joinable would (check_join): the booking is read once.
        booking = get_booking(ctx.session, number)
        record = record_of_class(records, booking.college, booking.graduation_year, ctx.settings)
        joined = join(ctx.session, record, number, names, now=ctx.now, settings=ctx.settings,
                      notify=ctx.notify)
    except BookingRefused as refused:
        if refused.code != "bad_input":
            ctx.dialog.end()
        return refused.reason
    ctx.dialog.end()
    b = joined.booking
    companions = texts.JOINED_COMPANIONS.format(names="、".join(names)) if names else ""
    if joined.grew:
        companions += texts.JOINED_GREW.format(people=b.people)
    return texts.JOINED.format(number=b.id, day=texts.full_date(b.day.day), slot=b.slot.label,
                               companions=companions)


# --- 我的预约, 取消预约 <编号> -----------------------------------------------------------------------

def mine_command(ctx: Context) -> str:
    mine = my_bookings(ctx.session, ctx.user)
    if not mine:
        return texts.MINE_NONE
    items = [texts.MINE_HEAD]
    for m in mine[:8]:
        b = m.booking
        item = texts.MINE_ITEM.format(
            number=b.id, day=texts.full_date(b.day.day), slot=b.slot.label,
            status=texts.STATUS_NAMES[b.status.value],
            label=texts.class_label(b.graduation_year, b.college), people=b.people, members=m.members,
            headcount=m.headcount, role=texts.MINE_ROLE_CONTACT if m.is_contact else "")
        if b.reason and b.status.value == "declined":
            item += texts.MINE_REASON.format(reason=b.reason)
        if b.status in HOLDING and b.status.value not in ("visited", "no_show"):
            item += "\n" + (texts.MINE_NEXT_CONTACT.format(number=b.id) if m.is_contact
                            else texts.MINE_NEXT_MEMBER)
        items.append(item)
    return "\n\n".join(items)


def cancel_command(ctx: Context) -> str:
    match = NUMBER.fullmatch(ctx.args.strip())
    if match is None:
        return texts.CANCEL_USAGE
    try:
        b = cancel(ctx.session, ctx.user, int(match.group(1)), now=ctx.now, settings=ctx.settings,
                   notify=ctx.notify)
    except BookingRefused as refused:
        return refused.reason
    return texts.CANCELLED.format(number=b.id, day=texts.full_date(b.day.day))


# --- helpers ---------------------------------------------------------------------------------------

def _joinable(ctx: Context, records: list[Alumnus], number: int):
    booking = get_booking(ctx.session, number)
    return check_join(ctx.session, record_of_class(records, booking.college, booking.graduation_year,
                                                  ctx.settings), number, now=ctx.now,
                      settings=ctx.settings)


def _slot_left(ctx: Context, day: str, starts: str) -> int:
    view = day_view(ctx.session, dt.date.fromisoformat(day), ctx.settings, venues=False)
    slot = next((s for s in view.slots if f"{s.starts:%H:%M}" == starts), None)
    return min(slot.left, view.people.left) if slot else 0


def _date(text: str) -> dt.date | None:
    match = DATE.fullmatch(text.strip())
    if match is None:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


def _example_day(ctx: Context) -> str:
    day = first_bookable_day(local_today(ctx.now, ctx.settings), ctx.settings)
    for _ in range(14):
        if open_by_default(day, ctx.settings):
            break
        day += dt.timedelta(days=1)
    return f"{day:%Y-%m-%d}"


def _commands_win(handler):
    """A step that yields to the reunion commands: 返校 lists the days and opens the dialog, and an
    alumnus who then types 预约返校 2026-04-11 20 or 我的预约 means that command, not an answer."""

    def answer(ctx: Context) -> str:
        text = ctx.args.strip()
        for word, command in _COMMANDS:
            if text == word or (text.startswith(word) and not text[len(word):][:1].isalpha()):
                ctx.dialog.end()
                ctx.args = text[len(word):].strip()
                return command(ctx)
        return handler(ctx)

    answer.__name__ = answer.__qualname__ = handler.__name__
    return answer


# Longest first: 我的预约 before 预约返校 does not matter, but 返校 must not take 返校码.
_COMMANDS = (("预约返校", book_command), ("加入返校", join_command), ("取消预约", cancel_command),
             ("我的预约", mine_command), ("返校", info_command))

BOOK_DIALOG = Dialog("reunion-book", {
    BookStep.DATE: step(_commands_win(date_step)), BookStep.SLOT: step(_commands_win(slot_step)),
    BookStep.PEOPLE: step(_commands_win(people_step)), BookStep.NEEDS: step(_commands_win(needs_step)),
    BookStep.LODGING: step(_commands_win(lodging_step)), BookStep.NOTE: step(note_step),
    BookStep.CONFIRM: step(_commands_win(confirm_step))})
JOIN_DIALOG = Dialog("reunion-join", {JoinStep.COMPANIONS: step(companions_step)})

