"""The account's template lists, as the real API reports them, so features can check their ids."""

from __future__ import annotations

from wechat_bot.sandbox.api import Call, endpoint
from wechat_bot.sandbox.state import Sandbox


@endpoint("cgi-bin/template/get_all_private_template", methods=("GET",))
def template_list(sandbox: Sandbox, call: Call) -> dict:
    """GET cgi-bin/template/get_all_private_template: the template messages the account may send."""
    return {
        "template_list": [
            {
                "template_id": t.template_id,
                "title": t.title,
                "primary_industry": "教育",
                "deputy_industry": "院校",
                "content": t.content,
                "example": "",
            }
            for t in sandbox.catalog.all()
            if t.kind == "template"
        ]
    }


@endpoint("wxaapi/newtmpl/gettemplate", methods=("GET",), token="mp")
def subscribe_template_list(sandbox: Sandbox, call: Call) -> dict:
    """GET wxaapi/newtmpl/gettemplate (mini-program): the subscribe-message templates."""
    return {
        "errcode": 0,
        "errmsg": "ok",
        "data": [
            {
                "priTmplId": t.template_id,
                "title": t.title,
                "content": t.content,
                "example": "",
                "type": 2,
            }
            for t in sandbox.catalog.all()
            if t.kind == "subscribe"
        ],
    }
