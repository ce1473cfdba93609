"""Who a push goes to: the audiences registry, and the audiences every push may use.

An audience spec is `name` or `name:argument`. Registered here: `all` (every follower, one mass
send), `bound`, `year:2016` (also `year:2014,2016`, `year:2010-2015`), `college:计算机学院`,
`city:南京`, `openids:o1,o2`, `users:1,2`, and `and:…`: several of them at once
(`year:2016&college:计算机学院`, typed with or without `and:`), the users in every part. A feature's own audience (a chapter's
members, `chapter:NAME`) is registered with `register_audience` by the composition root
(wechat_bot/audiences.py, called by the app factory), not here: nothing in scheduler/ imports a
feature to name its members, so a process that builds no app knows only the audiences above.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from models.alumnus import Alumnus
from models.wechat_user import WechatUser

AUDIENCE_COLUMN_LENGTH = 200


class AudienceError(ValueError):
    """An audience that cannot be understood; str() is a Chinese line for the operator."""


@dataclass(frozen=True)
class Audience:
    """Who a push goes to. `users(arg)` selects WechatUser ids; `mass_filter` (all followers, a
    tag) makes it one mass send; `strays(session, arg)` lists addresses no user holds."""

    name: str
    users: Callable[[str], Select]
    label: Callable[[str], str]
    parse: Callable[[str], str] = lambda arg: arg
    takes_argument: bool = True
    mass_filter: Callable[[str], dict] | None = None
    strays: Callable[[Session, str], list[str]] | None = None
    # resolve(session, arg): the argument as stored (a chapter's full name), AudienceError if none
    resolve: Callable[[Session, str], str] | None = None


AUDIENCES: dict[str, Audience] = {}


def register_audience(audience: Audience) -> None:
    AUDIENCES[audience.name] = audience


def resolve_audience(session: Session, spec: str) -> tuple[Audience, str]:
    """`parse_audience`, then the argument checked against the database where the audience can."""
    audience, arg = parse_audience(spec)
    return audience, audience.resolve(session, arg) if audience.resolve else arg


def parse_audience(spec: str) -> tuple[Audience, str]:
    """`year:2016` → (the year audience, "2016"); AudienceError for anything else."""
    spec = spec.strip()
    if AND in spec and not spec.startswith(f"{COMBINED}:"):
        spec = f"{COMBINED}:{spec}"  # year:2016&college:X is the combined audience
    name, _, arg = spec.partition(":")
    audience = AUDIENCES.get(name.strip())
    if audience is None:
        known = "、".join(AUDIENCES)
        raise AudienceError(f"未知的推送对象 {spec!r}（可用：{known}）")
    arg = arg.strip()
    if audience.takes_argument and not arg:
        raise AudienceError(f"推送对象 {name} 需要参数，例如 {name}:…")
    if not audience.takes_argument and arg:
        raise AudienceError(f"推送对象 {name} 不带参数")
    return audience, audience.parse(arg)


def stored_audience(audience: Audience, arg: str) -> str:
    """The spec a push stores (its column holds AUDIENCE_COLUMN_LENGTH characters)."""
    spec = f"{audience.name}:{arg}" if arg else audience.name
    if len(spec) <= AUDIENCE_COLUMN_LENGTH:
        return spec
    return f"{audience.name}:…（{len(_split(arg))} 项）"


def audience_label(session: Session, spec: str) -> str:
    """The Chinese name of an audience as typed, its argument resolved (chapter:北京 → 北京校友会成员)."""
    chosen, arg = resolve_audience(session, spec)
    return chosen.label(arg)


def describe_audience(spec: str) -> str:
    """The Chinese name of a stored audience, for the CLI and the admin page."""
    if "…" in spec:  # a long list, stored shortened
        return spec
    try:
        audience, arg = parse_audience(spec)
    except AudienceError:
        return spec
    return audience.label(arg)


def _split(arg: str) -> list[str]:
    return list(dict.fromkeys(part.strip() for part in arg.replace("，", ",").split(",")
                              if part.strip()))


# --- the built-in audiences ---------------------------------------------------------------

def _followers(_arg: str) -> Select:
    return select(WechatUser.id).where(WechatUser.subscribed.is_(True),
                                       WechatUser.openid.is_not(None))


def _bound_users(*conditions) -> Select:
    # From the roster records alone (the link is the user's id): with the indexes that end in
    # wechat_user_id ((graduation_year, …), (college, bound_at, …)) a year or a college is read
    # from the index without touching a row (benchmarks/README.md has the figures at 1,000,000).
    return (select(Alumnus.wechat_user_id).where(Alumnus.wechat_user_id.is_not(None), *conditions)
            .distinct())


def _year(text: str, arg: str) -> int:
    text = text.strip()
    if not text.isdigit() or not 1900 <= int(text) <= 2100:
        raise AudienceError(f"届别应为四位年份，例如 year:2016、year:2014,2016 或 "
                            f"year:2010-2015（收到 {arg!r}）")
    return int(text)


def _parse_year(arg: str) -> str:
    """2016 · 2014,2016 · 2010-2015 (a range, both ends in), as stored."""
    first, dash, last = arg.partition("-")
    if dash:
        low, high = _year(first, arg), _year(last, arg)
        if low > high:
            raise AudienceError(f"届别范围应从小到大，例如 year:2010-2015（收到 {arg!r}）")
        return f"{low}-{high}"
    return ",".join(str(year) for year in sorted({_year(part, arg) for part in _split(arg)}))


def _years(arg: str):
    first, dash, last = arg.partition("-")
    if dash:
        return Alumnus.graduation_year.between(int(first), int(last))
    return Alumnus.graduation_year.in_([int(year) for year in arg.split(",")])


def _year_label(arg: str) -> str:
    return f"{arg.replace('-', '–').replace(',', '、')} 届校友"


def _parse_name(what: str, example: str) -> Callable[[str], str]:
    def parse(arg: str) -> str:
        if AND in arg or len(arg) > 64:
            raise AudienceError(f"{what}名称不能含有 {AND}，最长 64 个字，例如 {example}")
        return arg
    return parse


def _parse_list(arg: str) -> str:
    items = _split(arg)
    if not items:
        raise AudienceError("列表不能为空")
    return ",".join(items)


def _parse_ids(arg: str) -> str:
    items = _split(arg)
    if not items or not all(i.isdigit() for i in items):
        raise AudienceError(f"users: 后应为用户编号列表，例如 users:12,15（收到 {arg!r}）")
    return ",".join(items)


def _openid_strays(session: Session, arg: str) -> list[str]:
    wanted = _split(arg)
    known = set(session.scalars(select(WechatUser.openid).where(WechatUser.openid.in_(wanted))))
    return [o for o in wanted if o not in known]


register_audience(Audience(
    "all", _followers, lambda _: "全部关注者", takes_argument=False,
    mass_filter=lambda _: {"is_to_all": True}))
register_audience(Audience("bound", lambda _: _bound_users(), lambda _: "已绑定的校友",
                           takes_argument=False))
register_audience(Audience("year", lambda arg: _bound_users(_years(arg)), _year_label,
                           parse=_parse_year))
register_audience(Audience(
    "college", lambda arg: _bound_users(Alumnus.college == arg), lambda arg: f"{arg}校友",
    parse=_parse_name("学院", "college:计算机学院")))
# The city the alumnus gave, else the roster's (Alumnus.current_city, as search reads it).
register_audience(Audience(
    "city", lambda arg: _bound_users(Alumnus.current_city == arg), lambda arg: f"在{arg}的校友",
    parse=_parse_name("城市", "city:南京")))
register_audience(Audience(
    "openids", lambda arg: select(WechatUser.id).where(WechatUser.openid.in_(_split(arg))),
    lambda arg: f"指定的 {len(_split(arg))} 位用户", parse=_parse_list, strays=_openid_strays))
register_audience(Audience(
    "users", lambda arg: select(WechatUser.id).where(WechatUser.id.in_(
        [int(i) for i in _split(arg)])),
    lambda arg: f"指定的 {len(_split(arg))} 位用户", parse=_parse_ids))


# --- several at once -------------------------------------------------------------------------

COMBINED = "and"
AND = "&"


def _parts(arg: str) -> list[tuple[Audience, str]]:
    return [parse_audience(part) for part in arg.split(AND)]


def _parse_combined(arg: str) -> str:
    """year:2016&college:计算机学院 → each part checked; only per-recipient audiences combine (a
    mass send or a list of addresses has nothing to intersect with)."""
    parts = [part.strip() for part in arg.split(AND) if part.strip()]
    if len(parts) < 2:
        raise AudienceError(f"组合对象至少需要两项，用 {AND} 连接，例如 year:2016{AND}college:计算机学院")
    stored = []
    for part in parts:
        audience, part_arg = parse_audience(part)
        if audience.name == COMBINED or audience.mass_filter or audience.strays:
            raise AudienceError(f"{part!r} 不能与其他推送对象组合（可组合：已绑定、届别、学院、城市、分会）")
        stored.append(stored_audience(audience, part_arg))
    return AND.join(dict.fromkeys(stored))


def _resolve_combined(session: Session, arg: str) -> str:
    return AND.join(stored_audience(*resolve_audience(session, part)) for part in arg.split(AND))


def _combined_users(arg: str) -> Select:
    """The users in every part: each part's own rule (one rule in one place), intersected."""
    return select(WechatUser.id).where(*(WechatUser.id.in_(audience.users(part_arg))
                                          for audience, part_arg in _parts(arg)))


def _combined_label(arg: str) -> str:
    return "，且".join(audience.label(part_arg) for audience, part_arg in _parts(arg))


register_audience(Audience(COMBINED, _combined_users, _combined_label, parse=_parse_combined,
                           resolve=_resolve_combined))


def audience_parts(spec: str) -> list[str]:
    """A stored audience as the specs it is made of (`and:a&b` → [a, b]; `year:2016` → itself):
    who may see a push is decided by its parts (handlers.staff.scope)."""
    name, _, arg = spec.partition(":")
    return arg.split(AND) if name == COMBINED else [spec]
