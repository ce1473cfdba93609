"""The one WeChat API client: every call, the token included, goes through `wechat.api_base_url`.

The access token lives in Redis and is refreshed under a Redis lock, so any number of processes share
one token instead of invalidating each other's (each fetch of a new token retires the old one).
"""

from __future__ import annotations

import json
import logging
from urllib.parse import quote

import redis
import requests
from wechatpy import WeChatClient
from wechatpy.exceptions import WeChatClientException

from wechat_bot.config import Config
from wechat_bot.store import Keys

log = logging.getLogger(__name__)

# 40001 invalid credential, 40014 invalid access_token, 42001 expired: refetch once and retry.
TOKEN_ERRCODES = frozenset({40001, 40014, 42001})
# Renew a little before WeChat says the token expires, so no call carries a token that just died.
EXPIRY_MARGIN_SECONDS = 300
JSON_BODY = {"Content-Type": "application/json; charset=utf-8"}


class AlumniWeChatClient(WeChatClient):
    """wechatpy's client with a configurable base URL and a token shared through Redis."""

    def __init__(self, app_id: str, secret: str, api_base_url: str, store: redis.Redis, keys: Keys,
                 timeout: float) -> None:
        super().__init__(app_id, secret, timeout=timeout, auto_retry=False)
        self.api_base_url = api_base_url.rstrip("/")
        self.API_BASE_URL = self.api_base_url + "/cgi-bin/"
        self._store = store
        self._token_key = keys.access_token(app_id)
        self._lock_key = keys.access_token_lock(app_id)
        self._http = _session_for(self.api_base_url)

    # wechatpy reads `access_token` before every call; ours comes from the shared cache.
    @property
    def access_token(self) -> str:
        token = self._store.get(self._token_key)
        return token if token else self._refresh_token(rejected=None)

    def fetch_access_token(self) -> dict:
        """Fetch a token through the configured base (wechatpy 1.8 hard-codes api.weixin.qq.com)."""
        return self._fetch_stable_token(force_refresh=False)

    def _fetch_stable_token(self, *, force_refresh: bool) -> dict:
        # stable_token is not invalidated by other fetches in normal mode (PROTOCOL.md section 5).
        response = self._http.post(
            f"{self.api_base_url}/cgi-bin/stable_token",
            json={"grant_type": "client_credential", "appid": self.appid, "secret": self.secret,
                  "force_refresh": force_refresh},
            timeout=self.timeout,
        )
        result = self._json_answer(response)
        if result.get("errcode"):
            raise WeChatClientException(result["errcode"], result.get("errmsg", ""), client=self,
                                        request=response.request, response=response)
        if not isinstance(result.get("access_token"), str):
            raise WeChatClientException(None, "回答中没有 access_token", client=self,
                                        request=response.request, response=response)
        ttl = max(60, int(result.get("expires_in", 7200)) - EXPIRY_MARGIN_SECONDS)
        self._store.set(self._token_key, result["access_token"], ex=ttl)
        return result

    def post_json(self, endpoint: str, body: dict, access_token: str) -> dict:
        """POST `body` as JSON to cgi-bin/`endpoint` with this token, straight on the session.

        The push sender's call, made once per recipient of a broadcast: it skips wechatpy's
        per-call plumbing (kwargs juggling, the token property, params encoding, result hooks),
        which cost a tenth of a millisecond a call. It raises what `post` raises —
        WeChatClientException for an errcode or an HTTP error status, requests' exceptions for
        the network, ValueError for an answer that is not JSON — but never retries: the caller
        holds the token, and renews it with `renew_access_token` if WeChat refuses it.
        """
        response = self._http.post(
            f"{self.API_BASE_URL}{endpoint}?access_token={quote(access_token, safe='')}",
            data=json.dumps(body, ensure_ascii=False).encode("utf-8"), headers=JSON_BODY,
            timeout=self.timeout)
        if response.status_code >= 400:
            raise WeChatClientException(None, None, client=self, request=response.request,
                                        response=response)
        result = json.loads(response.content)
        errcode = int(result.get("errcode") or 0) if isinstance(result, dict) else None
        if errcode is None:
            raise ValueError("WeChat answered JSON that is not an object")
        if errcode:
            raise WeChatClientException(errcode, result.get("errmsg", errcode), client=self,
                                        request=response.request, response=response)
        return result

    def renew_access_token(self, rejected: str) -> str:
        """The shared token after WeChat refused `rejected`: another process's newer one, or a
        fresh one fetched under the lock."""
        return self._refresh_token(rejected=rejected)

    def _refresh_token(self, rejected: str | None) -> str:
        """Get a fresh token, one process at a time; `rejected` is a token WeChat just refused."""
        with self._store.lock(self._lock_key, timeout=30, blocking_timeout=35):
            current = self._store.get(self._token_key)
            if current and current != rejected:
                return current  # another process refreshed while we waited
            self._store.delete(self._token_key)
            result = self._fetch_stable_token(force_refresh=False)
            if result["access_token"] == rejected:
                result = self._fetch_stable_token(force_refresh=True)
            return result["access_token"]

    def _json_answer(self, response: requests.Response) -> dict:
        """The JSON object WeChat answered; WeChatClientException for an HTTP error or anything
        else (a proxy's error page, a wrong api_base_url), so callers see one kind of failure."""
        if response.status_code >= 400:
            raise WeChatClientException(None, None, client=self, request=response.request,
                                        response=response)
        try:
            result = response.json()
        except ValueError:
            result = None
        if not isinstance(result, dict):
            raise WeChatClientException(None, "回答不是 JSON 对象", client=self,
                                        request=response.request, response=response)
        return result

    def _handle_result(self, res, method=None, url=None, result_processor=None, **kwargs):
        result = super()._handle_result(res, method, url, result_processor, **kwargs)
        # wechatpy hands back the raw response when it is no JSON: right for media and images,
        # a confusing AttributeError later for a text page where JSON was due.
        if isinstance(result, requests.Response) and _is_text(result):
            raise WeChatClientException(None, "回答不是 JSON", client=self, request=res.request,
                                        response=res)
        return result

    def _request(self, method, url_or_endpoint, **kwargs):
        params = kwargs.get("params")
        token = None
        if not (isinstance(params, dict) and "access_token" in params):
            token = self.access_token
            kwargs["params"] = {**(params or {}), "access_token": token}
        try:
            return super()._request(method, url_or_endpoint, **kwargs)
        except WeChatClientException as exc:
            if exc.errcode not in TOKEN_ERRCODES or token is None:
                raise
            log.info("微信拒绝了 access_token（errcode %s）；刷新一次后重试", exc.errcode)
            kwargs["params"]["access_token"] = self._refresh_token(rejected=token)
            return super()._request(method, url_or_endpoint, **kwargs)

    def code_to_session(self, app_id: str, secret: str, js_code: str) -> dict:
        """Mini-program login: exchange a wx.login() code (no access token involved)."""
        response = self._http.get(
            f"{self.api_base_url}/sns/jscode2session",
            params={"appid": app_id, "secret": secret, "js_code": js_code,
                    "grant_type": "authorization_code"},
            timeout=self.timeout,
        )
        result = self._json_answer(response)
        if result.get("errcode"):
            raise WeChatClientException(result["errcode"], result.get("errmsg", ""), client=self,
                                        request=response.request, response=response)
        return result


def _is_text(response: requests.Response) -> bool:
    kind = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    return not kind or kind.startswith("text/") or kind.endswith("json")


def _session_for(base_url: str) -> requests.Session:
    """A session for calls to `base_url` that reads the environment once, here.

    requests reads the proxy variables (HTTPS_PROXY, NO_PROXY, …), the CA bundle variables and
    ~/.netrc again on every request: two scans of os.environ and a stat, about 0.4 ms of CPU a
    call, a third of what a push delivery spends. Every call of this client goes to one base URL,
    so what they resolve to is the same each time: resolved once, then `trust_env` is off.
    """
    http = requests.Session()
    settings = http.merge_environment_settings(base_url, {}, None, None, None)
    auth = requests.utils.get_netrc_auth(base_url)
    http.trust_env = False
    http.proxies.update(settings["proxies"])
    http.verify = settings["verify"]
    if auth:
        http.auth = auth
    return http


def build_wechat_client(config: Config, store: redis.Redis, keys: Keys) -> AlumniWeChatClient:
    """The factory every part of the app uses: the webhook's late replies, pushes, menus, login."""
    return AlumniWeChatClient(
        config.wechat.app_id,
        config.wechat.app_secret,
        config.wechat.api_base_url,
        store,
        keys,
        timeout=config.wechat.request_timeout_seconds,
    )
