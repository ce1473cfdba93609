"""The push `Sender` on the one WeChat client, and the rate limiter, as the composition root
builds them from `[push]` (the CLI, the scheduler process, the demo).

The sender turns each outcome into facts for delivery (scheduler/sender.py): an errcode WeChat
answered, a request that never left (connection refused, no token), or one that may have
arrived (read timeout, HTTP 5xx, a cut connection).
"""

from __future__ import annotations

import logging
import time

import redis
import requests
from urllib3.exceptions import NewConnectionError
from wechatpy.exceptions import WeChatClientException

from models.push import CLIENT_MSG_ID_SECONDS, Channel
from scheduler.channels import parse_fields
from scheduler.ratelimit import RateLimiter
from scheduler.sender import DeliveryPolicy, Outcome, Outgoing, SendResult, TemplateSpec
from wechat_bot.config import Config, ConfigError
from wechat_bot.store import Keys
from wechat_bot.wechat_client import TOKEN_ERRCODES

log = logging.getLogger(__name__)

TOKEN_REUSE_SECONDS = 60  # a token read from Redis is reused this long (tokens live 2 hours)
MASS_KEY_EXISTS = 45065  # a mass send with this clientmsgid was accepted before
MINIPROGRAM_STATES = ("developer", "trial", "formal")
GROUP_MAX = 20  # rows on an idempotent channel marked `sending` in one commit, at most


def group_size(lease_seconds: float, timeout_seconds: float, rate_per_second: float,
               threads: int = 1) -> int:
    """How many template/mass rows one commit may mark `sending`: as many as can all be called
    within half the lease even if every call times out, so no row of a live worker's group is
    ever taken for a crashed one's; at most GROUP_MAX. `threads` delivery lanes share the rate,
    so each lane's turn comes `threads / rate` seconds apart."""
    per_call = timeout_seconds + threads / rate_per_second
    return max(1, min(GROUP_MAX, int(lease_seconds / 2 / per_call)))


class WeChatSender:
    """Sends on the official account's client; subscribe messages on the mini-program's."""

    def __init__(self, client, policy: DeliveryPolicy, miniprogram_client=None,
                 miniprogram_state: str = "formal") -> None:
        self.client = client
        self.policy = policy
        self.miniprogram_client = miniprogram_client
        self.miniprogram_state = miniprogram_state
        self._tokens: dict[int, tuple[str, float]] = {}

    def send(self, message: Outgoing) -> SendResult:
        client = self.miniprogram_client if message.channel is Channel.SUBSCRIBE else self.client
        if client is None:
            return SendResult(Outcome.NOT_SENT, detail="没有配置小程序")
        endpoint, body = self._request(message)
        try:
            answer = self._post(client, endpoint, body)
        except (WeChatClientException, requests.RequestException, redis.RedisError) as exc:
            return self._failure(message, exc)
        except ValueError:  # a 2xx answer that is not WeChat's JSON: a gateway's page, a cut body
            return SendResult(Outcome.UNCERTAIN, detail="应答不是微信的 JSON")
        return SendResult.sent(answer.get("msgid") or answer.get("msg_id"))

    def _post(self, client, endpoint: str, body: dict) -> dict:
        """Post with the shared token, read from Redis at most once a minute per client (a
        delivery makes thousands of calls). A refused token (40001/42001) is renewed once — the
        shared one if another process renewed it meanwhile, else a fresh one — and the message
        sent again: a refusal means nothing was sent."""
        token = self._token(client)
        try:
            return client.post_json(endpoint, body, token)
        except WeChatClientException as exc:
            if exc.errcode not in TOKEN_ERRCODES:
                raise
        self._tokens.pop(id(client), None)
        token = client.renew_access_token(rejected=token)
        self._tokens[id(client)] = (token, time.monotonic())
        return client.post_json(endpoint, body, token)

    def _token(self, client) -> str:
        cached = self._tokens.get(id(client))
        now = time.monotonic()
        if cached is not None and now - cached[1] < TOKEN_REUSE_SECONDS:
            return cached[0]
        token = client.access_token
        self._tokens[id(client)] = (token, now)
        return token

    def _failure(self, message: Outgoing, exc: Exception) -> SendResult:
        if isinstance(exc, redis.RedisError) or _token_call(exc):
            # The shared token could not be read or fetched: the message never left.
            return SendResult(Outcome.NOT_SENT, getattr(exc, "errcode", None),
                              detail=f"无法获取 access_token：{type(exc).__name__}")
        if isinstance(exc, WeChatClientException):
            return self._refusal(message, exc)
        if isinstance(exc, requests.ConnectionError):
            if isinstance(exc, requests.ConnectTimeout) or _refused(exc):
                return SendResult(Outcome.NOT_SENT, detail=f"连接失败：{type(exc).__name__}")
            return SendResult(Outcome.UNCERTAIN, detail=f"连接中断：{type(exc).__name__}")
        return SendResult(Outcome.UNCERTAIN, detail=f"应答丢失：{type(exc).__name__}")

    def _request(self, message: Outgoing) -> tuple[str, dict]:
        if message.channel is Channel.CUSTOM:
            content = message.custom_message or {"msgtype": "text",
                                                 "text": {"content": message.text}}
            return "message/custom/send", {"touser": message.address, **content}
        data = {key: {"value": value} for key, value in message.data.items()}
        if message.channel is Channel.TEMPLATE:
            body = {"touser": message.address, "template_id": message.template_id, "data": data,
                    "client_msg_id": message.idempotency_key}
            if message.url:
                body["url"] = message.url
            return "message/template/send", body
        if message.channel is Channel.SUBSCRIBE:
            body = {"touser": message.address, "template_id": message.template_id, "data": data,
                    "miniprogram_state": self.miniprogram_state, "lang": "zh_CN"}
            if message.page:
                body["page"] = message.page
            return "message/subscribe/send", body
        return "message/mass/sendall", {
            "filter": message.mass_filter or {"is_to_all": True}, "msgtype": "text",
            "text": {"content": message.text}, "send_ignore_reprint": 0,
            "clientmsgid": message.idempotency_key}

    @staticmethod
    def _refusal(message: Outgoing, exc: WeChatClientException) -> SendResult:
        if exc.errcode is None:  # an HTTP error status: the gateway may have passed it on
            status = getattr(exc.response, "status_code", "?")
            return SendResult(Outcome.UNCERTAIN, detail=f"HTTP {status}")
        if message.channel is Channel.MASS and exc.errcode == MASS_KEY_EXISTS:
            try:
                return SendResult.sent(exc.response.json().get("msg_id"))
            except (AttributeError, ValueError):
                return SendResult.sent()
        return SendResult.refused(int(exc.errcode), str(exc.errmsg or "")[:200])


def _token_call(exc: Exception) -> bool:
    request = getattr(exc, "request", None)
    return "/cgi-bin/stable_token" in str(getattr(request, "url", "") or "")


def _refused(exc: requests.ConnectionError) -> bool:
    """Whether the connection was never made (nothing sent), not cut after the request."""
    reason = getattr(exc.args[0] if exc.args else None, "reason", None)
    return isinstance(reason, NewConnectionError)


def delivery_policy(config: Config) -> DeliveryPolicy:
    """`[push]` as delivery reads it; ConfigError names a bad key."""
    push = config.push

    def spec(id_key: str, data_key: str) -> TemplateSpec | None:
        template_id, items = getattr(push, id_key), getattr(push, data_key)
        if not template_id:
            return None
        if not items:
            raise ConfigError(f"配置项 push.{data_key} 无效：设置了 push.{id_key} 就要列出模板字段，"
                              f"例如 [\"thing1={{text}}\"]")
        try:
            return TemplateSpec(template_id, parse_fields(items))
        except ValueError as exc:
            raise ConfigError(f"配置项 push.{data_key} 无效：{exc}") from None

    if push.lease_seconds <= config.wechat.request_timeout_seconds:
        raise ConfigError("配置项 push.lease_seconds 无效：必须大于 wechat.request_timeout_seconds")
    window = push.idempotency_window_seconds
    if not 0 < window <= CLIENT_MSG_ID_SECONDS:
        raise ConfigError("配置项 push.idempotency_window_seconds 无效：必须大于 0、不超过 600"
                          "（微信的 client_msg_id 只在 10 分钟内有效）")
    if window <= push.lease_seconds:
        # A crashed worker's rows are reconciled only after the lease: with no time left in
        # the window then, every one of them would become `unknown` instead of being resent.
        raise ConfigError("配置项 push.idempotency_window_seconds 无效：必须大于 push.lease_seconds"
                          "（否则中断的模板消息在接管时都已过期，只能等待微信回报）")
    if push.retry_base_seconds <= 0:
        raise ConfigError("配置项 push.retry_base_seconds 无效：必须大于 0")
    if push.miniprogram_state not in MINIPROGRAM_STATES:
        raise ConfigError("配置项 push.miniprogram_state 无效：developer、trial 或 formal")
    return DeliveryPolicy(
        max_attempts=push.max_attempts, retry_base_seconds=push.retry_base_seconds,
        lease_seconds=push.lease_seconds, idempotency_window_seconds=window,
        group=group_size(push.lease_seconds, config.wechat.request_timeout_seconds,
                         push.rate_per_second, config.scheduler.delivery_threads),
        template=spec("template_id", "template_data"),
        subscribe=spec("miniprogram_template_id", "miniprogram_template_data"),
        subscribe_page=push.miniprogram_page or None,
        zone=config.zone, school_name=config.app.school_name,
        account_name=config.app.account_name)


def build_sender(config: Config, store, keys: Keys, client=None) -> WeChatSender:
    """The sender for this configuration; `client` is the app's one WeChat client if built."""
    from wechat_bot.wechat_client import AlumniWeChatClient, build_wechat_client

    policy = delivery_policy(config)
    miniprogram = None
    if policy.subscribe is not None:
        miniprogram = AlumniWeChatClient(
            config.miniprogram.app_id, config.miniprogram.app_secret, config.wechat.api_base_url,
            store, keys, timeout=config.wechat.request_timeout_seconds)
    return WeChatSender(client or build_wechat_client(config, store, keys), policy,
                        miniprogram, config.push.miniprogram_state)


def build_limiter(config: Config, store, keys: Keys) -> RateLimiter:
    """The rate every delivery process shares, under this install's Redis prefix."""
    return RateLimiter(store, keys("push", ""), config.push.rate_per_second)


def build_delivery(runtime) -> tuple[WeChatSender, RateLimiter]:
    """Sender and limiter for an app's Runtime (the scheduler job, the demo)."""
    return (build_sender(runtime.config, runtime.store, runtime.keys, runtime.wechat),
            build_limiter(runtime.config, runtime.store, runtime.keys))
