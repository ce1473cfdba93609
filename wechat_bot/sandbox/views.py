"""The pages: the phone-like chat (/sandbox/), the mini-program stand-in (/sandbox/miniprogram) and
the small JSON API their scripts use (/sandbox/_/…). Plain HTML, CSS and JavaScript served from
this package: the demo runs without internet, so nothing comes from a CDN.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request
from markupsafe import escape

from wechat_bot.runtime import current_runtime
from wechat_bot.sandbox import phone
from wechat_bot.sandbox.api.media import media_content, recent_qrcodes
from wechat_bot.sandbox.api.menu import conditional_menus, current_menu, match_menus
from wechat_bot.sandbox.people import Person
from wechat_bot.sandbox.relay import modes_for
from wechat_bot.sandbox.state import Sandbox, sandbox_of
from wechat_bot.seed import demo_identities

bp = Blueprint(
    "sandbox", __name__, url_prefix="/sandbox", template_folder="templates", static_folder="static"
)

PLACEHOLDER_SVG = """<svg xmlns="http://www.w3.org/2000/svg" width="240" height="160">
<rect width="240" height="160" fill="#d9d9d9"/><text x="120" y="86" font-size="16" fill="#666"
text-anchor="middle" font-family="sans-serif">图片（素材 {media}）</text></svg>"""


def _sandbox() -> Sandbox:
    return sandbox_of(current_app)


def _person(openid) -> Person:
    person = _sandbox().people.get(openid)
    if person is None:
        abort(404, "没有这个模拟用户")
    return person


def _json_body() -> dict:
    # Only JSON posts are taken: a cross-site form cannot send one without the browser asking first.
    if not request.is_json or not isinstance(request.get_json(silent=True), dict):
        abort(415)
    return request.get_json()


def _person_view(sandbox: Sandbox, person: Person) -> dict:
    return {**person.as_dict(), "allowance": sandbox.allowance.status(person.openid)}


@bp.get("/")
def chat() -> str:
    """The chat page: a phone with the account's conversation, its menu and the input box."""
    config = _sandbox().config
    return render_template("sandbox/chat.html", account_name=config.app.account_name)


@bp.get("/miniprogram")
def miniprogram() -> str:
    """The mini-program stand-in: wx.login() codes, subscribe-message consent, the /api/v1 login."""
    return render_template(
        "sandbox/miniprogram.html", account_name=_sandbox().config.app.account_name
    )


@bp.get("/_/state")
def state() -> Response:
    """Everything the chat page draws besides the conversation."""
    sandbox = _sandbox()
    menu, source = current_menu(sandbox)
    people = sandbox.people.all()
    matched = match_menus(sandbox, [p.openid for p in people])
    config = sandbox.config
    return jsonify(
        {
            "account_name": config.app.account_name,
            "original_id": config.wechat.original_id,
            "people": [_person_view(sandbox, p) for p in people],
            "menu": menu,
            "menu_source": source,
            # Personalized menus, and which one each person sees (absent: the default menu).
            "conditional_menus": conditional_menus(sandbox),
            "menu_of": {openid: m["menuid"] for openid, m in matched.items() if m},
            "mode": modes_for(config)[0],
            "modes": modes_for(config),
            "cities": list(phone.CITIES),
            "qrcodes": [
                {"ticket": q["ticket"], "scene": q["scene"], "action_name": q["action_name"]}
                for q in recent_qrcodes(sandbox)
            ],
            "subscribe_templates": [
                t.as_dict() for t in sandbox.catalog.all() if t.kind == "subscribe"
            ],
            # The demo's roster identities to bind with (none outside the demo).
            "identities": [{"command": command, "bound": bound}
                           for command, bound in demo_identities(current_runtime())],
        }
    )


@bp.post("/_/people")
def add_person() -> Response:
    """A new simulated alumnus (not yet following)."""
    sandbox = _sandbox()
    person = sandbox.people.add(str(_json_body().get("nickname") or ""))
    return jsonify(_person_view(sandbox, person))


@bp.get("/_/conversation")
def conversation() -> Response:
    """The person's conversation after entry `after` (the page polls this for pushes)."""
    sandbox = _sandbox()
    person = _person(request.args.get("openid"))
    after = request.args.get("after", "0")
    entries = sandbox.conversation.entries(
        person.openid, person.mp_openid, after=int(after) if after.isdigit() else 0
    )
    return jsonify({"entries": entries, "person": _person_view(sandbox, person)})


def _mode(sandbox: Sandbox, body: dict) -> str:
    offered = modes_for(sandbox.config)
    mode = body.get("mode") or offered[0]
    if mode not in offered:
        if not sandbox.config.wechat.encoding_aes_key:
            raise phone.PhoneError("未配置 EncodingAESKey，只能用明文模式")
        raise phone.PhoneError("安全模式下微信只发送加密消息")
    return mode


@bp.post("/_/send")
def send() -> Response:
    """One tap or message from the phone, relayed as signed webhook XML; answers the new entries."""
    sandbox = _sandbox()
    body = _json_body()
    person = _person(body.get("openid"))
    try:
        mode = _mode(sandbox, body)
        tap = _tap(sandbox, person, body)
        entries, reply = phone.send(sandbox, person, tap, mode)
    except phone.PhoneError as refusal:
        return jsonify({"error": str(refusal)}), 409
    person = _person(person.openid)
    return jsonify(
        {
            "entries": entries,
            "tries": reply.tries,
            "elapsed_ms": reply.elapsed_ms,
            "person": _person_view(sandbox, person),
        }
    )


def _tap(sandbox: Sandbox, person: Person, body: dict) -> phone.Tap:
    action = body.get("action")
    if action == "text":
        return phone.text(str(body.get("content") or ""))
    if action == "location":
        return phone.location(str(body.get("city") or ""))
    if action == "subscribe":
        return phone.subscribe()
    if action == "unsubscribe":
        return phone.unsubscribe()
    if action == "scan":
        scene, ticket = str(body.get("scene") or ""), ""
        for code in recent_qrcodes(sandbox):
            if code["ticket"] == body.get("ticket") or code["scene"] == scene.strip():
                scene, ticket = code["scene"], code["ticket"]
                break
        return phone.scan(scene, ticket, following=person.subscribed)
    if action == "menu":
        menu = match_menus(sandbox, [person.openid])[person.openid] or current_menu(sandbox)[0]
        if "menuid" in body and body["menuid"] != menu.get("menuid", 0):
            raise phone.PhoneError("菜单已变化，请刷新页面")  # the page drew another menu
        return phone.menu_tap(_button(menu, body.get("path")), menu.get("menuid", 0), body)
    raise phone.PhoneError("未知的操作")


def _button(menu: dict, path) -> dict:
    try:
        button = menu["button"][path[0]]
        return button["sub_button"][path[1]] if len(path) > 1 else button
    except (TypeError, KeyError, IndexError):
        raise phone.PhoneError("菜单已变化，请刷新页面") from None


@bp.post("/_/consents")
def grant_consent() -> Response:
    """The simulated user taps 允许 in a subscribe-message prompt: one send for that template."""
    sandbox = _sandbox()
    body = _json_body()
    person = _person(body.get("openid"))
    template = next(
        (
            t
            for t in sandbox.catalog.all()
            if t.template_id == body.get("template_id") and t.kind == "subscribe"
        ),
        None,
    )
    if template is None:
        return jsonify({"error": "没有这个订阅消息模板"}), 404
    entries = []
    if body.get("channel") == "miniprogram":
        openid = person.mp_openid  # the mini-program reports it to the backend through /api/v1
    else:
        # The official account hears of it from WeChat as a subscribe_msg_popup_event.
        openid = person.openid
        tap = phone.consent_popup(template.template_id, template.title)
        try:
            entries, _ = phone.send(sandbox, person, tap, _mode(sandbox, body))
        except phone.PhoneError as refusal:
            return jsonify({"error": str(refusal)}), 409
    count = sandbox.catalog.grant(openid, template.template_id)
    notice = f"已允许接收「{template.title}」（可发送 {count} 次）"
    entries.append(
        sandbox.conversation.append(person.openid, "notice", msgtype="notice", content=notice)
    )
    return jsonify(
        {
            "openid": openid,
            "template_id": template.template_id,
            "consents": count,
            "entries": entries,
        }
    )


@bp.post("/_/miniprogram/code")
def login_code() -> Response:
    """wx.login() for a simulated person: a code valid five minutes, once."""
    sandbox = _sandbox()
    person = _person(_json_body().get("openid"))
    return jsonify(
        {
            "code": sandbox.logins.issue(person),
            "expires_in": 300,
            "mp_openid": person.mp_openid,
            "unionid": person.unionid,
        }
    )


@bp.get("/media/<media_id>")
def media(media_id: str) -> Response:
    """An image the API received through media/upload, or a grey placeholder naming the id."""
    found = media_content(_sandbox(), media_id)
    if found is None:
        return Response(
            PLACEHOLDER_SVG.format(media=escape(media_id[:12])), mimetype="image/svg+xml"
        )
    return Response(found[0], mimetype=found[1])


def init_app(app) -> None:
    app.register_blueprint(bp)


@bp.get("/publications/<int:publication_id>")
def publication(publication_id: int) -> str:
    """The school website's page a demo publication's news card opens (the demo has no website).

    Real publications link to the school's own pages; the demo's link here, so no card in the
    sandbox leads nowhere."""
    from models.publication import Publication

    with current_runtime().sessions() as session:
        row = session.get(Publication, publication_id) if 0 < publication_id < 2**31 else None
        if row is None:
            abort(404, "没有这篇刊物")
        title, category, summary = row.title, row.category, row.summary or ""
        published = row.published_at
    school = _sandbox().config.app.school_name
    return (f'<!doctype html><html lang="zh-CN"><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><body style=\"font-family: sans-serif; max-width: 640px;"
            f' margin: 24px auto; padding: 0 16px; line-height: 1.7">'
            f"<p style=\"color:#888\">{escape(school)} · {escape(category)} · {published:%Y-%m-%d}</p>"
            f"<h1 style=\"font-size:22px\">{escape(title)}</h1><p>{escape(summary)}</p>"
            f"<p style=\"color:#888\">（演示页面：正式环境中链接到学校网站上的原文。）</p></body></html>")
