"""The directory's bot handlers (Context in, reply out): 绑定, 解绑, 我的, 隐私, 查找, 下一页, and the
BIND / PROFILE / ALUMNI_SEARCH menu buttons. The routing table in wechat_bot points here; the rules
themselves live in the service modules, which the API calls too.
"""

from __future__ import annotations

import re
from enum import StrEnum

from handlers.context import STORE_DOWN, Context, logged_as
from handlers.dialog import Dialog, step
from handlers.directory import texts
from handlers.directory.binding import (
    BindOutcome,
    NotBound,
    bind_alumnus,
    binding_lockout,
    bound_records,
    mask_student_id,
    unbind,
)
from handlers.directory.lookup import Viewer
from handlers.directory.names import name_key
from handlers.directory.privacy import current_privacy, parse_privacy, set_privacy
from handlers.directory.profile import my_profile
from handlers.directory.searching import (
    PageLimitReached,
    QueryError,
    SearchLimitReached,
    forget_last_search,
    format_page,
    load_viewer_by_openid,
    next_search,
    page_not_shown,
    search_directory,
)
from handlers.directory.settings import DirectorySettings
from handlers.verification import texts as verification_texts
from handlers.verification.requests import offered
from models import Alumnus, Privacy

CHANNEL = "bot"
SEARCH_WORDS = frozenset({"查找", "找", "校友", "search", "find"})
_STUDENT_ID = re.compile(r"[0-9a-z-]{1,32}")
_NAME_THEN_ID = re.compile(r"([^\x00-\x7f]+)([0-9a-z-]+)")
MAX_NAME_CHARS = 64


# A step's value is what Redis keeps between two messages: changing it ends the dialogs open then.
class BindStep(StrEnum):
    NAME = "name"
    STUDENT_ID = "student_id"


class SearchStep(StrEnum):
    QUERY = "query"


def _settings(ctx: Context) -> DirectorySettings:
    return ctx.settings.directory


def _looks_like_student_id(word: str) -> bool:
    return bool(_STUDENT_ID.fullmatch(word.lower())) and any(ch.isdigit() for ch in word)


def _describe(record: Alumnus) -> str:
    return texts.record_line(record.degree, record.graduation_year, record.college, record.major,
                             record.class_name)


def mask_binding_input(text: str) -> str:
    """`张伟 2012010101` -> `张* 201****101`, as the message log keeps what binding is given.

    Both halves of what the roster checks are masked, wherever they are typed (the dialog's name
    step gets student IDs too): IDs keep their ends, and names their first character, enough
    for staff helping someone to recognise the attempt, too little to replay it or to learn whom
    a stranger tried to impersonate. The user's own name is on their bound record already.
    """
    words, name_started = [], False
    for word in _binding_words(text):
        if _looks_like_student_id(word):
            words.append(mask_student_id(word))
        else:
            words.append("*" * len(word) if name_started else word[0] + "*" * (len(word) - 1))
            name_started = True
    return " ".join(words)


def _binding_words(text: str) -> list[str]:
    words = text.split()
    glued = _NAME_THEN_ID.fullmatch(words[0]) if len(words) == 1 else None
    if glued and _looks_like_student_id(glued[2]):  # 绑定张伟2012010101
        return [glued[1], glued[2]]
    return words


# --- 绑定: `绑定 姓名 学号` at once, or the dialog 姓名 -> 学号 ---

@logged_as(mask_binding_input)
def bind(ctx: Context) -> str:
    """`绑定`, `绑定 姓名`, `绑定 姓名 学号`, and the BIND menu button."""
    try:
        status = binding_lockout(ctx.store, _settings(ctx)).check(str(ctx.user.id), ctx.now)
    except STORE_DOWN:
        return texts.BIND_UNAVAILABLE
    if not status.allowed:
        return _with_offer(texts.bind_locked(status.retry_after))
    words = _binding_words(ctx.args)
    if len(words) >= 2 and _looks_like_student_id(words[-1]):
        return _bind(ctx, " ".join(words[:-1]), words[-1])
    if len(words) == 1 and _looks_like_student_id(words[0]):
        ctx.dialog.start(BIND_DIALOG, BindStep.NAME, student_id=words[0])
        return texts.BIND_ASK_NAME_AGAIN
    if words:
        ctx.dialog.start(BIND_DIALOG, BindStep.STUDENT_ID, person=" ".join(words))
        return texts.BIND_ASK_STUDENT_ID
    held = bound_records(ctx.session, ctx.user)
    ctx.dialog.start(BIND_DIALOG, BindStep.NAME)
    if held:
        return texts.bind_ask_name_bound(sorted({r.name for r in held}))
    return texts.BIND_ASK_NAME


@logged_as(mask_binding_input)
def bind_name_step(ctx: Context) -> str:
    name = ctx.args.strip()
    if not name_key(name) or len(name) > MAX_NAME_CHARS:
        return texts.BIND_ASK_NAME_AGAIN
    student_id = ctx.dialog.data.get("student_id")
    if student_id:
        ctx.dialog.end()
        return _bind(ctx, name, student_id)
    ctx.dialog.goto(BindStep.STUDENT_ID, person=name)
    return texts.BIND_ASK_STUDENT_ID


@logged_as(mask_binding_input)
def bind_student_id_step(ctx: Context) -> str:
    student_id = ctx.args.strip()
    if not _looks_like_student_id(student_id):
        return texts.BIND_BAD_STUDENT_ID
    name = ctx.dialog.data.get("person", "")
    ctx.dialog.end()
    return _bind(ctx, name, student_id)


def _bind(ctx: Context, name: str, student_id: str) -> str:
    try:
        result = bind_alumnus(ctx.session, ctx.user, name, student_id, now=ctx.now, channel=CHANNEL,
                              limiter=binding_lockout(ctx.store, _settings(ctx)))
    except STORE_DOWN:
        # The lockout lives in Redis: without it, guessing student IDs would go uncounted.
        return texts.BIND_UNAVAILABLE
    match result.outcome:
        case BindOutcome.BOUND:
            bound = result.alumnus
            return texts.bind_success(bound.name, _describe(bound), Privacy(bound.privacy))
        case BindOutcome.ALREADY_MINE:
            return texts.BIND_ALREADY
        case BindOutcome.TAKEN:
            return texts.BIND_TAKEN
        case BindOutcome.LOCKED:
            return _with_offer(texts.bind_locked(result.retry_after))
        case BindOutcome.OTHER_PERSON:
            return texts.bind_other_person(result.alumnus.name)
    reply = texts.bind_no_match(result.attempts_left, result.retry_after)
    if offered(ctx.settings, attempts_left=result.attempts_left, locked=bool(result.retry_after)):
        return _with_offer(reply)
    return reply


def _with_offer(reply: str) -> str:
    """After repeated failures: how to ask staff to verify by hand (人工审核)."""
    return f"{reply}\n\n{verification_texts.OFFER}"


# --- 解绑 [学号] ---

@logged_as(mask_binding_input)
def unbind_command(ctx: Context) -> str:
    if not bound_records(ctx.session, ctx.user):
        return texts.UNBIND_NOTHING
    student_id = ctx.args.strip() or None
    records = unbind(ctx.session, ctx.user, now=ctx.now, channel=CHANNEL, student_id=student_id)
    if not records:
        return texts.unbind_no_such(student_id or "")
    if not bound_records(ctx.session, ctx.user):
        try:
            forget_last_search(ctx.store, _settings(ctx), ctx.user.id)
        except STORE_DOWN:
            pass  # paging needs a bound user anyway; the last search expires on its own
    return texts.unbind_done([f"{r.name} {_describe(r)}（学号 {r.student_id}）" for r in records])


# --- 我的 ---

def profile_command(ctx: Context) -> str:
    """`我的` and the PROFILE button: the user's own records, current details, privacy."""
    profile = my_profile(ctx.session, ctx.user)
    if not profile.bound:
        return texts.NEED_BIND
    records = [f"{texts.record_line(r.degree, r.graduation_year, r.college, r.major, r.class_name)}"
               f"（学号 {r.student_id}）" for r in profile.records]
    return texts.profile_text(profile.name, records, profile.city, profile.employer,
                              profile.industry, profile.phone_masked, profile.privacy)


# --- 隐私 [公开|同学|隐藏] ---

def privacy_command(ctx: Context) -> str:
    records = bound_records(ctx.session, ctx.user)
    if not records:
        return texts.NEED_BIND
    word = ctx.args.strip()
    if not word:
        return texts.privacy_explained(current_privacy(records))
    level = parse_privacy(word)
    if level is None:
        return texts.privacy_unknown(word)
    set_privacy(ctx.session, ctx.user, level)
    return texts.privacy_set(level)


# --- 查找 <words>, 下一页, and the ALUMNI_SEARCH button ---

def search_command(ctx: Context) -> str:
    viewer = _viewer(ctx)
    if viewer is None or not viewer.classes:
        return texts.NEED_BIND
    query = ctx.args.strip()
    if not query:
        return texts.SEARCH_HOWTO
    return _search(ctx, viewer, query, 1)


def next_page_command(ctx: Context) -> str:
    viewer = _viewer(ctx)
    try:
        last = (next_search(ctx.store, _settings(ctx), viewer.wechat_user_id, ctx.round_trip)
                if viewer else None)
    except STORE_DOWN:
        return texts.NEXT_UNAVAILABLE
    if last is None:
        return texts.NEXT_WITHOUT_SEARCH
    return _search(ctx, viewer, last.query, last.page)


def _viewer(ctx: Context) -> Viewer | None:
    """The sender and the classes of their records, in one statement (None: never seen before;
    no classes: not bound). A search needs nothing else of them."""
    return load_viewer_by_openid(ctx.session, ctx.message.from_user)


def search_menu(ctx: Context) -> str:
    """The ALUMNI_SEARCH button: ask what to look for; the answer arrives in `search_query_step`."""
    if not bound_records(ctx.session, ctx.user):
        return texts.NEED_BIND
    ctx.dialog.start(SEARCH_DIALOG, SearchStep.QUERY)
    return texts.SEARCH_ASK


def search_query_step(ctx: Context) -> str:
    ctx.dialog.end()
    words = ctx.args.split()
    if words and words[0] in SEARCH_WORDS:
        words = words[1:]  # "查找 张伟" typed into the dialog means the same as "张伟"
    if not words:
        return texts.SEARCH_HOWTO
    viewer = _viewer(ctx)
    if viewer is None:
        return texts.NEED_BIND
    return _search(ctx, viewer, " ".join(words), 1)


def _search(ctx: Context, viewer: Viewer, query: str, page: int) -> str:
    """Page 1 of `query` (kept for 下一页 as it is counted), or a later page 下一页 turned to."""
    settings = _settings(ctx)
    try:
        result = search_directory(ctx.session, ctx.store, settings, viewer, query, now=ctx.now,
                                  channel=CHANNEL, page=page, log=ctx.search_log,
                                  round_trip=ctx.round_trip, remember=True)
    except NotBound:
        return texts.NEED_BIND
    except SearchLimitReached as limited:
        return texts.search_limited(limited.limit, limited.retry_after)
    except PageLimitReached as capped:
        _turn_back(ctx, settings, viewer)
        return texts.search_page_limit(capped.max_pages)
    except QueryError as bad:
        return str(bad) or texts.SEARCH_HOWTO
    if page > 1 and not result.hits:
        _turn_back(ctx, settings, viewer)  # past the end: the next 下一页 says so again
    return format_page(result)


def _turn_back(ctx: Context, settings: DirectorySettings, viewer: Viewer) -> None:
    try:
        page_not_shown(ctx.redis_writes if ctx.redis_writes is not None else ctx.store, settings,
                       viewer.wechat_user_id)
    except STORE_DOWN:
        pass  # the page is answered; the stored one expires on its own


# --- the dialogs these handlers hold (the routing table lists them with their entry points) ---

BIND_DIALOG = Dialog("bind", {
    BindStep.NAME: step(bind_name_step),
    BindStep.STUDENT_ID: step(bind_student_id_step),
})

SEARCH_DIALOG = Dialog("search", {SearchStep.QUERY: step(search_query_step)})
