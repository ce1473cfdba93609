"""The router on its own: keywords, aliases, tolerance, patterns, menu keys, events, scans, dialogs."""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum

import pytest

from handlers.context import Context, DialogState, Message, NoReply, Text
from handlers.dialog import LOCATION, Dialog, step
from handlers.settings import Settings
from models import WechatUser
from wechat_bot.conversation.normalize import normalize
from wechat_bot.conversation.router import LEFT_DIALOG, Routed, Router
from wechat_bot.conversation.table import (
    ANYTHING,
    NUMBER,
    SPACED,
    RoutingTable,
    dialog,
    event,
    keyword,
    menu,
    message,
    pattern,
    scan,
)


def echo(tag):
    def handler(ctx: Context) -> str:
        return f"{tag}|{ctx.args}|{ctx.scene or ''}"
    handler.__qualname__ = f"echo_{tag}"
    return handler


class BindStep(StrEnum):
    NAME = "name"
    STUDENT_ID = "student_id"


def ask_student_id(ctx: Context) -> str:
    ctx.dialog.goto(BindStep.STUDENT_ID, name=ctx.args)
    return "请输入学号"


def finish_binding(ctx: Context) -> str:
    name = ctx.dialog.data["name"]
    ctx.dialog.end()
    return f"绑定 {name} {ctx.args}"


def start_binding(ctx: Context) -> str:
    if ctx.args:
        return f"一次绑定 {ctx.args}"
    ctx.dialog.start(BIND, BindStep.NAME)
    return "请输入姓名"


BIND = Dialog("bind", {BindStep.NAME: step(ask_student_id), BindStep.STUDENT_ID: step(finish_binding)})


TABLE = RoutingTable(
    routes=(
        keyword("帮助", "help", "?", to=echo("help")),
        keyword("查找", "search", to=echo("search"), takes=ANYTHING),
        keyword("找", "校友", to=echo("search"), takes=SPACED),
        keyword("我的", to=echo("mine")),
        keyword("我的活动", to=echo("my-events")),
        keyword("报名", to=echo("sign-up"), takes=NUMBER),
        pattern(r"(\d{4}-\d{2}-\d{2}) (\d+)人?", to=echo("date")),
        menu("HELP", to=echo("menu-help")),
        event("subscribe", to=lambda ctx: "欢迎"),
        event("LOCATION", to=lambda ctx: None),
        message("location", to=echo("location")),
        scan("checkin:", to=echo("checkin")),
        dialog(BIND, keyword("绑定", "bind", to=start_binding, takes=ANYTHING), menu("BIND", to=start_binding)),
    ),
    fallback=echo("fallback"),
)


@pytest.fixture
def router():
    return Router(TABLE)


def ctx_for(msg: Message, dialog_state: DialogState | None = None) -> Context:
    return Context(session=None, user_loader=lambda: WechatUser(openid=msg.from_user), message=msg, store=None,
                   now=datetime(2026, 12, 1, tzinfo=UTC), settings=Settings(),
                   dialog=dialog_state or DialogState())


def routed(router: Router, msg: Message, state: DialogState | None = None) -> Routed:
    """What the webhook does with a message: plan on the user's dialog, then run the plan."""
    ctx = ctx_for(msg, state)
    return router.plan(msg, ctx.dialog).run(ctx)


def text(content: str) -> Message:
    return Message("text", "o-1", "gh", 1, msg_id="1", content=content)


def location() -> Message:
    return Message("location", "o-1", "gh", 1, msg_id="2", latitude=31.2, longitude=121.5)


def ev(name: str, key: str | None = None) -> Message:
    return Message("event", "o-1", "gh", 1, event=name, event_key=key)


def said(router, content: str, state: DialogState | None = None) -> str:
    reply = routed(router, text(content), state).reply
    return reply.content if isinstance(reply, Text) else ""


@pytest.mark.parametrize("typed", ["帮助", "help", "HELP", "Help", "?", "？", "　帮助　", "帮助！", "【帮助】"])
def test_keyword_and_aliases_are_tolerant_of_case_full_width_and_punctuation(router, typed):
    assert said(router, typed) == "help||"


@pytest.mark.parametrize("typed, args", [
    ("查找 张伟", "张伟"), ("查找　张伟", "张伟"), ("查找：张伟", "张伟"), ("查找张伟", "张伟"),
    ("找 zhangwei 2012", "zhangwei 2012"), ("校友，计算机学院", "计算机学院"), ("SEARCH zw", "zw"),
])
def test_arguments_follow_the_keyword_with_or_without_a_separator(router, typed, args):
    assert said(router, typed) == f"search|{args}|"


def test_the_longest_keyword_wins(router):
    assert said(router, "我的活动") == "my-events||"
    assert said(router, "我的") == "mine||"


@pytest.mark.parametrize("typed", ["我的活动啊", "我的资料", "我的 资料"])
def test_a_keyword_that_takes_nothing_is_not_taken_for_a_longer_phrase(router, typed):
    assert said(router, typed).startswith("fallback|")


def test_spaces_inside_a_keyword_do_not_split_it(router):
    assert said(router, "我的 活动") == "my-events||"


@pytest.mark.parametrize("typed", ["找工作", "校友会在哪", "校友卡片"])
def test_an_everyday_phrase_starting_with_a_spaced_keyword_is_no_command(router, typed):
    assert said(router, typed).startswith("fallback|")


def test_a_glued_argument_counts_only_in_the_keywords_argument_shape(router):
    assert said(router, "报名3") == "sign-up|3|"
    assert said(router, "报名表").startswith("fallback|")
    assert said(router, "报名 马拉松") == "sign-up|马拉松|"  # after a space the handler explains


def test_ascii_keyword_needs_a_word_boundary(router):
    assert said(router, "helpme").startswith("fallback|")


def test_pattern_routes_match_the_whole_text(router):
    assert said(router, "2026-05-09 3人") == "date|2026-05-09 3|"


def test_unknown_text_reaches_the_fallback(router):
    assert said(router, "今天天气怎么样") == "fallback|今天天气怎么样|"


def test_menu_click_routes_by_event_key(router):
    assert routed(router, ev("CLICK", "HELP")).reply == Text("menu-help||")


def test_unknown_menu_key_or_event_gets_success(router):
    assert isinstance(routed(router, ev("CLICK", "NOPE")).reply, NoReply)
    assert isinstance(routed(router, ev("card_pass_check")).reply, NoReply)


def test_message_type_routes(router):
    msg = Message("location", "o-1", "gh", 1, msg_id="2", latitude=31.2, longitude=121.5)
    assert routed(router, msg).reply == Text("location||")


def test_scan_routes_by_scene_prefix(router):
    assert routed(router, ev("SCAN", "checkin:42")).reply == Text("checkin|42|checkin:42")


def test_subscribe_through_a_qr_code_is_also_a_scan(router):
    reply = routed(router, ev("subscribe", "qrscene_checkin:42")).reply
    assert reply == Text("checkin|42|checkin:42\n\n欢迎")


def test_unknown_scene_says_the_code_is_not_recognised(router):
    assert "二维码" in routed(router, ev("SCAN", "nothing:1")).reply.content


def test_dialog_asks_step_by_step_and_ends(router):
    state = DialogState()
    assert said(router, "绑定", state) == "请输入姓名"
    assert (state.name, state.step) == ("bind", "name")
    assert said(router, "张伟", state) == "请输入学号"
    assert said(router, "2012010101", state) == "绑定 张伟 2012010101"
    assert not state.active


def test_dialog_takes_text_that_would_otherwise_be_a_keyword(router):
    state = DialogState()
    said(router, "绑定", state)
    assert said(router, "我的", state) == "请输入学号"


def test_cancel_leaves_the_dialog(router):
    state = DialogState()
    said(router, "绑定", state)
    assert said(router, "取消", state) == LEFT_DIALOG
    assert not state.active
    assert said(router, "张伟", state).startswith("fallback|")


def test_a_menu_tap_abandons_the_dialog(router):
    state = DialogState("bind", "student_id", {"name": "张伟"})
    assert routed(router, ev("CLICK", "HELP"), state).reply == Text("menu-help||")
    assert not state.active


def test_a_step_that_accepts_locations_takes_one(router):
    class PlaceStep(StrEnum):
        WHERE = "where"

    def where(ctx: Context) -> str:
        ctx.dialog.end()
        return f"where|{ctx.message.msg_type}"

    place = Dialog("place", {PlaceStep.WHERE: step(where, LOCATION)})
    table = RoutingTable(routes=(dialog(place), message("location", to=echo("location"))), fallback=echo("f"))
    state = DialogState("place", "where")
    assert routed(Router(table), location(), state).reply == Text("where|location")
    assert not state.active


def test_a_location_the_step_does_not_accept_goes_its_usual_way_and_the_dialog_stays(router):
    state = DialogState("bind", "student_id", {"name": "张伟"})
    assert routed(router, location(), state).reply == Text("location||")
    assert (state.name, state.step) == ("bind", "student_id")


def test_a_saved_step_this_version_does_not_know_is_dropped_and_the_text_routed_afresh(router):
    state = DialogState("bind", "nickname", {"name": "张伟"})  # saved by another version
    assert said(router, "帮助", state) == "help||"
    assert not state.active and state.changed


def test_a_dialog_declares_a_handler_for_every_step():
    with pytest.raises(ValueError, match="no handler"):
        Dialog("bind", {BindStep.NAME: step(ask_student_id)})


def test_one_shot_form_skips_the_dialog(router):
    state = DialogState()
    assert said(router, "绑定 张伟 2012010101", state) == "一次绑定 张伟 2012010101"
    assert not state.active


def test_help_is_told_which_commands_are_routed(router):
    assert {"帮助", "查找", "绑定", "取消"} <= router.available_commands
    assert "活动" not in router.available_commands


def test_help_does_not_count_a_coming_feature_as_open():
    from handlers.coming import ComingSoon

    table = RoutingTable(routes=(keyword("活动", to=ComingSoon("校友活动报名")),
                                 keyword("帮助", to=echo("help"))), fallback=echo("f"))
    router = Router(table)
    assert "活动" not in router.available_commands and "帮助" in router.available_commands
    assert router.plan(text("活动"), DialogState()).inline  # it answers from memory


@pytest.mark.parametrize("routes", [
    (menu("HELP", to=echo("a")), menu("HELP", to=echo("b"))),
    (event("subscribe", to=echo("a")), event("subscribe", to=echo("b"))),
    (message("location", to=echo("a")), message("location", to=echo("b"))),
    (scan("checkin:", to=echo("a")), scan("checkin:", to=echo("b"))),
    (dialog(BIND), dialog(Dialog("bind", {BindStep.NAME: step(echo("a")), BindStep.STUDENT_ID: step(echo("b"))}))),
])
def test_a_menu_key_event_message_type_scene_or_dialog_routed_twice_is_caught_at_start_up(routes):
    with pytest.raises(ValueError, match="routed twice"):
        RoutingTable(routes=routes, fallback=echo("f"))


def test_a_keyword_routed_twice_is_a_mistake_caught_at_start_up():
    with pytest.raises(ValueError, match="routed twice"):
        RoutingTable(routes=(keyword("帮助", to=echo("a")), keyword("help", "帮助", to=echo("b"))),
                     fallback=echo("f"))


def test_normalize_keeps_meaningful_punctuation_in_arguments():
    assert normalize("预约返校　2026-05-09，３人") == "预约返校 2026-05-09 3人"
    assert normalize("？") == "?"


def test_planning_picks_the_handler_without_running_it():
    ran = []
    table = RoutingTable(routes=(keyword("查找", to=lambda ctx: ran.append(ctx.args), takes=ANYTHING),),
                         fallback=echo("fb"))
    plan = Router(table).plan(text("查找 王磊"), DialogState())
    assert ran == []
    assert plan.args == "王磊"
    plan.run(ctx_for(text("查找 王磊")))
    assert ran == ["王磊"]


def test_only_handlers_the_table_lists_as_instant_and_fixed_replies_run_inline():
    instant = echo("help")
    table = RoutingTable(routes=(keyword("帮助", to=instant), keyword("查找", to=echo("search"))),
                         fallback=echo("fallback"), instant=frozenset({instant}))
    router = Router(table)
    assert router.plan(text("帮助"), DialogState()).inline
    assert not router.plan(text("查找 王磊"), DialogState()).inline
    assert not router.plan(text("随便说说"), DialogState()).inline
    assert router.plan(text("取消"), DialogState()).inline  # a fixed reply
    assert router.plan(ev("VIEW_MINIPROGRAM_SOMETHING"), DialogState()).inline  # `success`


def test_the_shipped_table_answers_help_inline_and_everything_that_reads_data_under_the_deadline():
    from wechat_bot.conversation.routes import ROUTES

    router = Router(ROUTES)
    assert router.plan(text("帮助"), DialogState()).inline
    assert router.plan(text("你好"), DialogState()).inline  # not understood: the help text
    for typed in ("绑定", "我的", "查找 王磊", "分会 江苏", "我的班级"):
        assert not router.plan(text(typed), DialogState()).inline, typed
    assert not router.plan(ev("subscribe"), DialogState()).inline
