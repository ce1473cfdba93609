"""Sending: customer-service, template, subscribe and mass messages (PROTOCOL.md section 6).

Each endpoint checks what WeChat checks, in WeChat's order — who the user is (40003), whether they
follow (43004), the payload (40008, 44004, 45008, 40037, 47003), then the allowance or consent
(45015, 45047, 43101) — and stores what it accepted in the recipient's conversation, where the chat
page shows it and tests read it.
"""

from __future__ import annotations

import datetime as dt
import time

from wechat_bot.sandbox.api import OK, Call, endpoint, require_openid
from wechat_bot.sandbox.catalog import check_data, render
from wechat_bot.sandbox.errors import ApiError
from wechat_bot.sandbox.payloads import message_payload
from wechat_bot.sandbox.state import Sandbox

# How long after its first use a template's client_msg_id keeps a send idempotent: 10 minutes
# (PROTOCOL.md section 6); a resend after that is delivered again, as WeChat may do.
CLIENT_MSG_ID_SECONDS = 600
MASS_CLIENT_ID_SECONDS = 3 * 86400  # a mass send's clientmsgid: far longer
# Take over a client id whose window has closed, unless a twin request took it over first.
_REPLACE_IF_UNCHANGED = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  redis.call('set', KEYS[1], ARGV[2], 'EX', ARGV[3])
  return 1
end
return 0
"""
MASS_PER_MONTH = 4  # a service account's follower receives at most 4 mass messages a month
MSGID_BASE = 2_000_000_000


def _msgid(sandbox: Sandbox) -> int:
    return MSGID_BASE + sandbox.store.next_id("msgid")


def _store_card(
    sandbox: Sandbox, openid: str, channel: str, template, values: dict, **links
) -> int:
    """Store a template or subscribe message as the card the chat shows; answers its msgid."""
    msgid = _msgid(sandbox)
    sandbox.conversation.append(
        openid,
        "api",
        channel=channel,
        msgtype=channel,
        msgid=msgid,
        template_id=template.template_id,
        title=template.title,
        rows=render(template, values),
        **links,
    )
    return msgid


def _once(sandbox: Sandbox, name: str, client_id, send, window: int) -> tuple[int, bool]:
    """Run `send` once per client id within `window` seconds of the id's first use, on the
    sandbox's clock (so a test moves time instead of sleeping): (msgid, True) when an earlier
    send with that id answers. Past the window the id is new again and `send` runs again."""
    if client_id in (None, ""):
        return send(), False
    key = sandbox.store.key(name, str(client_id))
    redis = sandbox.store.redis
    now = sandbox.now()
    claim = f"{now}|"  # first use | msgid, empty while the send is under way
    while not redis.set(key, claim, nx=True, ex=window):
        existing = redis.get(key)
        if existing is None:
            continue  # it expired meanwhile: try to take it again
        first_used, _, msgid = existing.partition("|")
        if now - float(first_used) < window:
            return _repeated(sandbox, key, msgid), True
        if redis.register_script(_REPLACE_IF_UNCHANGED)(keys=[key], args=[existing, claim, window]):
            break
    try:
        msgid = send()
    except BaseException:
        redis.delete(key)  # a refused send did not happen; the id may be used again
        raise
    redis.set(key, f"{now}|{msgid}", ex=window)
    return msgid, False


def _repeated(sandbox: Sandbox, key: str, msgid: str) -> int:
    """The msgid an earlier send with this id answered, once a twin still sending has it."""
    give_up = time.monotonic() + 5
    while not msgid and time.monotonic() < give_up:
        time.sleep(0.05)
        msgid = (sandbox.store.redis.get(key) or "|").partition("|")[2]
    if not msgid:
        raise ApiError(-1)
    return int(msgid)


@endpoint("cgi-bin/message/custom/send")
def custom_send(sandbox: Sandbox, call: Call) -> dict:
    """POST cgi-bin/message/custom/send: within the user's customer-service window only."""
    person = require_openid(sandbox, call.body.get("touser"))
    payload = message_payload(call.body, channel="custom")
    sandbox.allowance.spend(person.openid)
    sandbox.conversation.append(person.openid, "api", channel="custom", **payload)
    return dict(OK)


@endpoint("cgi-bin/message/template/send")
def template_send(sandbox: Sandbox, call: Call) -> dict:
    """POST cgi-bin/message/template/send: a known template, valid data; client_msg_id once."""
    body = call.body
    person = require_openid(sandbox, body.get("touser"))
    template = sandbox.catalog.find(body.get("template_id"), "template")
    values = check_data(template, body.get("data"))

    mini = body.get("miniprogram") if isinstance(body.get("miniprogram"), dict) else None

    def send() -> int:
        # both url and miniprogram given: the mini-program wins (PROTOCOL.md section 6)
        url = None if mini else body.get("url")
        return _store_card(
            sandbox, person.openid, "template", template, values, url=url, miniprogram=mini
        )

    msgid, repeated = _once(sandbox, "template-client-msg", body.get("client_msg_id"), send,
                            CLIENT_MSG_ID_SECONDS)
    if not repeated:  # a repeated client_msg_id sent nothing, and WeChat reports nothing
        sandbox.reports.template_sent(call.settings, person.openid, msgid, sandbox.now())
    return {**OK, "msgid": msgid}


def _subscribe_send(sandbox: Sandbox, body: dict, openid: str) -> dict:
    template = sandbox.catalog.find(body.get("template_id"), "subscribe")
    values = check_data(template, body.get("data"))
    sandbox.catalog.spend_consent(openid, template.template_id)
    msgid = _store_card(
        sandbox,
        openid,
        "subscribe",
        template,
        values,
        page=body.get("page"),
        miniprogram=body.get("miniprogram"),
    )
    return {**OK, "msgid": msgid}


@endpoint("cgi-bin/message/subscribe/send", token="mp")
def subscribe_send(sandbox: Sandbox, call: Call) -> dict:
    """POST cgi-bin/message/subscribe/send (mini-program): spends one consent for the template."""
    person = sandbox.people.by_mp_openid(call.body.get("touser"))
    if person is None:
        raise ApiError(40003)
    if call.body.get("miniprogram_state", "formal") not in ("developer", "trial", "formal"):
        raise ApiError(40097, "miniprogram_state")
    return _subscribe_send(sandbox, call.body, person.mp_openid)


@endpoint("cgi-bin/message/subscribe/bizsend")
def subscribe_bizsend(sandbox: Sandbox, call: Call) -> dict:
    """POST cgi-bin/message/subscribe/bizsend (official account's 订阅通知)."""
    person = require_openid(sandbox, call.body.get("touser"))
    return _subscribe_send(sandbox, call.body, person.openid)


def _mass(sandbox: Sandbox, call: Call, recipients: list, channel: str = "mass") -> dict:
    body = call.body
    payload = message_payload(body, channel="mass")
    jobs: list[dict] = []

    def send() -> int:
        msg_id = _msgid(sandbox)
        month = dt.datetime.fromtimestamp(sandbox.now(), sandbox.config.zone).strftime("%Y%m")
        sent = filtered = errors = 0
        for openid in recipients:
            person = sandbox.people.get(openid) if isinstance(openid, str) else None
            if person is None or not person.subscribed:
                errors += 1
                continue
            counter = sandbox.store.key("mass-month", person.openid, month)
            if channel == "mass" and sandbox.store.redis.incr(counter) > MASS_PER_MONTH:
                filtered += 1  # WeChat drops it silently and counts it in FilterCount
                continue
            sandbox.store.redis.expire(counter, 32 * 86400)
            sandbox.conversation.append(
                person.openid, "api", channel=channel, msg_id=msg_id, **payload
            )
            sent += 1
        job = {"msg_id": msg_id, "total": len(recipients), "filter": filtered, "sent": sent,
               "error": errors}
        sandbox.store.set_json(sandbox.store.key("mass-job", str(msg_id)), job, 30 * 86400)
        jobs.append(job)
        return msg_id

    msg_id, repeated = _once(sandbox, "mass-client-msg", body.get("clientmsgid"), send,
                             MASS_CLIENT_ID_SECONDS)
    if repeated:
        return {**ApiError(45065).body(), "msg_id": msg_id}
    sandbox.reports.mass_sent(call.settings, jobs[0], sandbox.now())
    return {
        "errcode": 0,
        "errmsg": "send job submission success",
        "msg_id": msg_id,
        "msg_data_id": msg_id,
    }


@endpoint("cgi-bin/message/mass/sendall")
def mass_sendall(sandbox: Sandbox, call: Call) -> dict:
    """POST cgi-bin/message/mass/sendall: to every follower, or to the followers with a tag."""
    rule = call.body.get("filter")
    if not isinstance(rule, dict):
        raise ApiError(40097, "filter")
    if rule.get("is_to_all") is True:
        recipients = [p.openid for p in sandbox.people.followers()]
    else:
        from wechat_bot.sandbox.api.users import tag_members

        recipients = tag_members(sandbox, rule.get("tag_id"))
    return _mass(sandbox, call, recipients)


@endpoint("cgi-bin/message/mass/send")
def mass_send(sandbox: Sandbox, call: Call) -> dict:
    """POST cgi-bin/message/mass/send: to a list of 2 to 10,000 openids."""
    touser = call.body.get("touser")
    if not isinstance(touser, list) or not 2 <= len(touser) <= 10_000:
        raise ApiError(40130)
    return _mass(sandbox, call, list(dict.fromkeys(touser)))


@endpoint("cgi-bin/message/mass/preview")
def mass_preview(sandbox: Sandbox, call: Call) -> dict:
    """POST cgi-bin/message/mass/preview: one follower sees the mass message (no monthly count)."""
    person = require_openid(sandbox, call.body.get("touser"))
    payload = message_payload(call.body, channel="mass")
    sandbox.conversation.append(person.openid, "api", channel="preview", **payload)
    return {**OK, "msg_id": _msgid(sandbox)}


@endpoint("cgi-bin/message/mass/get")
def mass_get(sandbox: Sandbox, call: Call) -> dict:
    """POST cgi-bin/message/mass/get {msg_id}: the job's status and counts."""
    job = sandbox.store.get_json(sandbox.store.key("mass-job", str(call.body.get("msg_id"))))
    if job is None:
        raise ApiError(40097, "msg_id")
    return {
        "msg_id": job["msg_id"],
        "msg_status": "SEND_SUCCESS",
        "total_count": job["total"],
        "filter_count": job["filter"],
        "sent_count": job["sent"],
        "error_count": job["error"],
    }
