"""Access tokens and the mini-program login: the endpoints that take an app id and secret."""

from __future__ import annotations

from wechat_bot.sandbox.api import OK, Call, endpoint
from wechat_bot.sandbox.errors import ApiError
from wechat_bot.sandbox.logins import new_session_key
from wechat_bot.sandbox.state import Sandbox


def _credentials(sandbox: Sandbox, app_id, secret, *, apps: tuple[str, ...] = ("oa", "mp")) -> str:
    """40013 for an app id the sandbox does not serve, 40125 for a wrong secret."""
    known = {}
    if "oa" in apps:
        known[sandbox.config.wechat.app_id] = sandbox.config.wechat.app_secret
    if "mp" in apps:
        known[sandbox.config.miniprogram.app_id] = sandbox.config.miniprogram.app_secret
    if not isinstance(app_id, str) or app_id not in known:
        raise ApiError(40013)
    if secret != known[app_id]:
        raise ApiError(40125)
    return app_id


@endpoint("cgi-bin/token", methods=("GET",), token=None)
def token(sandbox: Sandbox, call: Call) -> dict:
    """GET cgi-bin/token: a new token on every call; the previous one lives five more minutes."""
    if call.args.get("grant_type") != "client_credential":
        raise ApiError(40002)
    app_id = _credentials(sandbox, call.args.get("appid"), call.args.get("secret"))
    return sandbox.tokens.fetch(app_id).body()


@endpoint("cgi-bin/stable_token", token=None)
def stable_token(sandbox: Sandbox, call: Call) -> dict:
    """POST cgi-bin/stable_token: the same token until shortly before it expires."""
    body = call.body
    if body.get("grant_type") != "client_credential":
        raise ApiError(40002)
    app_id = _credentials(sandbox, body.get("appid"), body.get("secret"))
    return sandbox.tokens.fetch_stable(
        app_id, force_refresh=body.get("force_refresh") is True
    ).body()


@endpoint("sns/jscode2session", methods=("GET",), token=None)
def jscode2session(sandbox: Sandbox, call: Call) -> dict:
    """GET sns/jscode2session: a wx.login() code for openid, session_key and unionid, once."""
    if call.args.get("grant_type") != "authorization_code":
        raise ApiError(40002)
    _credentials(sandbox, call.args.get("appid"), call.args.get("secret"), apps=("mp",))
    person = sandbox.people.get(sandbox.logins.redeem(call.args.get("js_code")))
    if person is None:
        raise ApiError(40029)
    return {"openid": person.mp_openid, "session_key": new_session_key(), "unionid": person.unionid}


@endpoint("cgi-bin/clear_quota", token="any")
def clear_quota(sandbox: Sandbox, call: Call) -> dict:
    """POST cgi-bin/clear_quota {appid}: resets the quota, so a 45009 fault is lifted."""
    if call.body.get("appid") not in (
        sandbox.config.wechat.app_id,
        sandbox.config.miniprogram.app_id,
    ):
        raise ApiError(40013)
    sandbox.faults.clear_quota()
    return dict(OK)
