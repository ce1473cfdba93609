"""`alumni-bot sync-menu [--dry-run]`: validate menus/, show the difference to the live menu, push.

What it publishes (menus.loader): the default menu (menu.toml, what visitors see) with
menu/create, and each personalized menu (bound.toml: bound alumni, matched by a tag) with
menu/addconditional after deleting the live personalized menu it replaces (delconditional; WeChat
cannot edit one in place). Live personalized menus that menus/ does not define are deleted too:
menus/ is the whole truth. A tag a personalized menu needs is created when missing; the scheduler's
tag sync then keeps it on the bound followers.

--dry-run reads only (menu/get, tags/get) and pushes nothing.

The admin page's custom-menu page is a second door onto the same code: its differences are
`sync_menus(dry_run=True)`'s lines and its 同步到微信 button runs `sync_checked`, as this command does.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import click
from flask.cli import with_appcontext
from wechatpy.exceptions import WeChatClientException

from menus.diff import diff_menus, normalize, outline
from menus.loader import MenuFileError, MenuSet, PersonalizedMenu, load_menus
from menus.validate import Problem, errors, validate_menus
from scheduler.alumni_tag import ensure_tag
from wechat_bot.runtime import current_runtime
from wechat_bot.wechat_errors import describe_failure


@dataclass
class _Conditional:
    """One personalized menu to publish, and the live ones for the same rule."""

    menu: PersonalizedMenu
    tag_id: int | None
    live: list[dict] = field(default_factory=list)

    def matchrule(self) -> dict | None:
        return None if self.tag_id is None else self.menu.wechat_matchrule(self.tag_id)


def _rule_of(live: dict) -> dict:
    """A live matchrule reduced to the fields we set (menu/get fills the others with "")."""
    rule = live.get("matchrule") or {}
    return {k: str(v) for k, v in rule.items()
            if k in ("tag_id", "client_platform_type") and v not in (None, "")}


def _live(client) -> tuple[dict | None, list[dict]]:
    answer = client.menu.get() or {}  # wechatpy answers None for 46003 (no menu)
    return answer.get("menu"), list(answer.get("conditionalmenu") or [])


def _plan(client, menus: MenuSet, conditionals_live: list[dict]) -> tuple[list[_Conditional],
                                                                          list[dict]]:
    tags = {t.get("name"): int(t["id"]) for t in client.tag.get()} if menus.personalized else {}
    plans, claimed = [], set()
    for menu in menus.personalized:
        plan = _Conditional(menu, tags.get(menu.tag))
        rule = plan.matchrule()
        plan.live = [c for c in conditionals_live if rule is not None and _rule_of(c) == rule]
        claimed.update(id(c) for c in plan.live)
        plans.append(plan)
    strays = [c for c in conditionals_live if id(c) not in claimed]
    return plans, strays


def _same(live: dict | None, wanted: dict) -> bool:
    return live is not None and normalize(live) == normalize(wanted)


def sync_menus(client, menus: MenuSet, *, dry_run: bool, echo=click.echo) -> bool:
    """Print the differences and (unless dry_run) push them; answers whether anything differed."""
    live_default, live_conditionals = _live(client)
    plans, strays = _plan(client, menus, live_conditionals)
    changed = False

    shown = diff_menus(live_default, menus.default)
    changed |= shown.changed
    echo("默认菜单（menu.toml，所有未匹配个性化菜单的人看到，即未绑定的访客）："
         + ("" if shown.changed else "与线上一致"))
    if shown.changed:
        echo("  线上还没有菜单，将新建：" if live_default is None else "  与线上的差异（- 线上，+ 将推送）：")
        echo("\n".join(f"    {line}" for line in shown.lines))
    for plan in plans:
        same = len(plan.live) == 1 and _same(plan.live[0], plan.menu.menu)
        changed |= not same
        where = f"标签“{plan.menu.tag}”" + (f"，id {plan.tag_id}" if plan.tag_id is not None
                                           else "，尚未创建，推送时创建")
        echo(f"个性化菜单（{plan.menu.source}，{where}）：" + ("与线上一致" if same else ""))
        if not same:
            shown = diff_menus(plan.live[0] if plan.live else None, plan.menu.menu)
            echo("  线上没有，将新建：" if not plan.live else "  与线上的差异（- 线上，+ 将推送）：")
            echo("\n".join(f"    {line}" for line in shown.lines))
    for stray in strays:
        changed = True
        echo(f"线上的个性化菜单 menuid {stray.get('menuid')}（规则 {_rule_of(stray) or '无'}）"
             "不在 menus/ 里，将删除：")
        echo("\n".join(f"    - {line}" for line in outline(stray)))

    if dry_run:
        echo("（--dry-run：没有推送任何内容）" if changed else "线上菜单与 menus/ 一致，无需推送。")
        return changed
    if not changed:
        echo("线上菜单与 menus/ 一致，无需推送。")
        return False
    _push(client, menus, plans, strays, live_default, echo)
    return True


def _push(client, menus: MenuSet, plans: list[_Conditional], strays: list[dict],
          live_default: dict | None, echo) -> None:
    if not _same(live_default, menus.default):
        client.menu.create(menus.default)
        echo("已推送默认菜单。")
    # WeChat may drop personalized menus when the default one is replaced: look again.
    _, live_conditionals = _live(client)
    live_ids = {str(c.get("menuid")) for c in live_conditionals}
    for stray in strays:
        if str(stray.get("menuid")) in live_ids:
            client.menu.del_conditional(stray["menuid"])
            echo(f"已删除个性化菜单 menuid {stray['menuid']}。")
    for plan in plans:
        if plan.tag_id is None:
            plan.tag_id = ensure_tag(client, plan.menu.tag)
            echo(f"已创建标签“{plan.menu.tag}”（id {plan.tag_id}）。")
        rule = plan.matchrule()
        current = [c for c in live_conditionals if _rule_of(c) == rule]
        if len(current) == 1 and _same(current[0], plan.menu.menu):
            continue
        for old in current:
            client.menu.del_conditional(old["menuid"])
        answer = client.menu.add_conditional({**plan.menu.menu, "matchrule": rule})
        echo(f"已推送个性化菜单 {plan.menu.source}（menuid {answer.get('menuid')}）。")


class MenuHasErrors(Exception):
    """menus/ breaks WeChat's rules: nothing was pushed. str() is the Chinese line to show."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"菜单有 {len(problems)} 处错误，没有推送。")
        self.problems = problems


@dataclass(frozen=True)
class SyncOutcome:
    changed: bool              # menus/ differed from the live menus
    in_sync: bool | None       # after a push, menu/get answers menus/' default menu (None: dry run)


def sync_checked(client, menus: MenuSet, *, dry_run: bool, echo=click.echo) -> SyncOutcome:
    """What `alumni-bot sync-menu` does once menus/ is read, for every door (the command, the admin
    page's 同步 button): refuse a menu with errors (MenuHasErrors), show the differences and push
    them, then read the live menu back. WeChat's failures propagate (describe_failure names them)."""
    problems = errors(validate_menus(menus))
    if problems:
        raise MenuHasErrors(problems)
    changed = sync_menus(client, menus, dry_run=dry_run, echo=echo)
    if dry_run:
        return SyncOutcome(changed, None)
    live_default, _ = _live(client)
    in_sync = _same(live_default, menus.default)
    if in_sync:
        echo("线上默认菜单已与 menus/ 一致。")
    return SyncOutcome(changed, in_sync)


def _describe(exc: WeChatClientException) -> str:
    return describe_failure(exc, current_runtime().config.wechat.api_base_url)


@click.command("sync-menu")
@click.option("--dry-run", is_flag=True, help="只检查并显示与线上菜单的差异，不推送")
@with_appcontext
def sync_menu_command(dry_run: bool) -> None:
    """校验 menus/ 并把自定义菜单（含已绑定校友的个性化菜单）推送到微信。"""
    try:
        menus = load_menus()
    except MenuFileError as exc:
        click.echo(f"错误：{exc}", err=True)
        sys.exit(1)
    for problem in validate_menus(menus):
        click.echo(f"{'错误' if problem.error else '提醒'}：{problem}", err=problem.error)
    try:
        sync_checked(current_runtime().wechat, menus, dry_run=dry_run)
    except MenuHasErrors as exc:
        click.echo(str(exc), err=True)
        sys.exit(1)
    except WeChatClientException as exc:
        click.echo(f"{_describe(exc)}。菜单没有同步完。", err=True)
        sys.exit(1)
