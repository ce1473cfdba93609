"""benchmarks/load.py without any load: its options parse, and the traffic it would send is
signed WeChat XML saying what each kind of alumnus says (the run itself is by hand)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs

import pytest
from wechatpy import parse_message
from wechatpy.utils import check_signature

from benchmarks.load import options
from benchmarks.load_mix import KINDS, Mix, World, outcome, parse_mix
from benchmarks.webhook import TOKEN, signed_query


def test_quick_mode_runs_three_short_steps_of_every_kind_on_a_small_roster():
    args = options(["--quick"])
    assert (args.steps, args.step_seconds, args.alumni, args.openids) == (3, 8, 3000, 500)
    assert set(args.shares) == set(KINDS)
    assert sum(args.shares.values()) == pytest.approx(1)


def test_a_mix_naming_an_unknown_kind_is_refused_with_its_name():
    with pytest.raises(ValueError, match="'chat'"):
        parse_mix("help=1,chat=2")


def test_each_kind_is_signed_wechat_xml_saying_what_that_alumnus_sends():
    world = World(alumni=["o-a", "o-b"], bookers=["o-c"], scanners=["o-a"], day=dt.date(2026, 12, 19),
                  events=[7, 8], checkin_event=9, words=["张伟"])
    mix = Mix(world, parse_mix("help=1,search=1,book=1,signup=1,checkin=1"))
    first = {}
    for _ in range(60):
        message = mix.next()
        first.setdefault(message.kind, (message.openid, parse_message(message.body)))
    assert {kind: getattr(m, "content", None) for kind, (_, m) in first.items()} == {
        "help": "帮助", "search": "查找 张伟", "book": "预约返校 2026-12-19 2", "signup": "报名 7",
        "checkin": None}
    scan = first["checkin"][1]
    assert (scan.type, scan.event, scan.scene_id, scan.source) == ("event", "scan", "checkin:9", "o-a")
    query = {k: v[0] for k, v in parse_qs(signed_query(TOKEN, "o-a")).items()}
    check_signature(TOKEN, query["signature"], query["timestamp"], query["nonce"])  # raises if wrong


def test_a_holding_reply_is_not_taken_for_a_booking():
    assert outcome("book", "预约已提交，编号 12。\n2006 届计算机学院") == "booked"
    assert outcome("book", "正在为您处理，请稍候，结果稍后发送给您。") is None
