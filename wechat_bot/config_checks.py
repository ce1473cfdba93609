"""The configuration's rules: each bad value stops start-up with one line that names its key.

The app's own sections are checked here; a feature's section by its own `problems()` (see
handlers.settings). Called by wechat_bot.config.build_config once the file is read.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import zoneinfo

from handlers.settings import feature_sections
from wechat_bot.config import (
    LOG_FORMATS,
    LOG_LEVELS,
    MAX_DELIVERY_THREADS,
    MESSAGE_MODES,
    Config,
    ConfigError,
    SchedulerSection,
)
from wechat_bot.store import is_sentinel, parse_sentinel_url


def check(config: Config) -> None:
    """Stop at the first bad value with one line naming its key (ConfigError)."""
    def fail(key: str, why: str) -> None:
        raise ConfigError(f"配置项 {key} 无效：{why}（{config.source}）")

    _validate_scheduler(config.scheduler, fail)
    _validate_observability(config, fail)
    try:
        zoneinfo.ZoneInfo(config.app.timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        fail("app.timezone", f"未知的时区 {config.app.timezone!r}，例如 Asia/Shanghai")
    if not config.app.secret_key:
        fail("app.secret_key", "不能为空")
    if not 0 <= config.app.proxies <= 5:
        fail("app.proxies", "是前面反向代理（nginx）的层数：0 到 5，直接对外为 0，部署在 nginx 后为 1")
    if not config.app.base_url.startswith(("http://", "https://")):
        fail("app.base_url", "必须以 http:// 或 https:// 开头")
    if not config.database.url.startswith(("sqlite:", "postgresql")):
        fail("database.url", "只支持 sqlite:///… 或 postgresql+psycopg://…")
    if not config.redis.url.startswith(("memory://", "redis://", "rediss://", "unix://", "redis+sentinel://")):
        fail("redis.url", "必须是 memory://、redis://… 或 redis+sentinel://…")
    if is_sentinel(config.redis.url):
        try:
            parse_sentinel_url(config.redis.url)
        except ValueError as exc:
            fail("redis.url", str(exc))
    if not config.wechat.token:
        fail("wechat.token", "不能为空（公众号后台「服务器配置」里的令牌）")
    key = config.wechat.encoding_aes_key
    if key and len(key) != 43:
        fail("wechat.encoding_aes_key", f"必须是 43 个字符（现在是 {len(key)} 个），留空则为明文模式")
    if config.wechat.message_mode not in MESSAGE_MODES:
        fail("wechat.message_mode", "只能是 compatible（兼容模式）或 safe（安全模式）")
    if config.wechat.message_mode == "safe" and not key:
        fail("wechat.message_mode", "safe（安全模式）需要同时设置 wechat.encoding_aes_key")
    if not 30 <= config.wechat.timestamp_tolerance_seconds <= 3600:
        fail("wechat.timestamp_tolerance_seconds", "必须在 30 到 3600 秒之间（超出这个时间差的签名请求会被拒绝）")
    if not config.wechat.api_base_url.startswith(("http://", "https://")):
        fail("wechat.api_base_url", "必须以 http:// 或 https:// 开头")
    if not 0.5 <= config.wechat.reply_deadline_seconds <= 4.5:
        fail("wechat.reply_deadline_seconds", "必须在 0.5 到 4.5 秒之间（微信只等 5 秒）")
    if config.wechat.dedup_ttl_seconds < 60:
        fail("wechat.dedup_ttl_seconds", "至少 60 秒：微信会在约 15 秒内重试三次")
    if config.wechat.dialog_ttl_seconds < 30:
        fail("wechat.dialog_ttl_seconds", "至少 30 秒")
    if config.wechat.request_timeout_seconds <= 0:
        fail("wechat.request_timeout_seconds", "必须大于 0")
    for name in feature_sections():
        for key, why in getattr(config, name).problems():
            fail(f"{name}.{key}", why)
    if config.push.rate_per_second <= 0:
        fail("push.rate_per_second", "必须大于 0")
    if config.push.max_attempts < 1:
        fail("push.max_attempts", "至少为 1")
    # The rest of [push] (template fields, lease, miniprogram_state) is read by delivery alone;
    # checked here too, so `serve` refuses a bad template at start-up, not at the first push.
    from wechat_bot.push_sender import delivery_policy

    try:
        delivery_policy(config)
    except ConfigError as exc:
        raise ConfigError(f"{exc}（{config.source}）") from None


def _validate_scheduler(section: SchedulerSection, fail) -> None:
    lease, renew = section.leader_lease_seconds, section.leader_renew_seconds
    if lease < 1:
        fail("scheduler.leader_lease_seconds", "至少 1 秒")
    if not 0 < renew <= lease / 2:
        fail("scheduler.leader_renew_seconds", "必须大于 0 且不超过租期的一半（每个租期至少续约两次）")
    if lease + renew > 60:
        fail("scheduler.leader_lease_seconds", "加上 leader_renew_seconds 不能超过 60 秒"
                                               "（主节点失联后一分钟内须有人接替）")
    if section.misfire_grace_seconds < 1:
        fail("scheduler.misfire_grace_seconds", "至少 1 秒")
    if section.delivery_interval_seconds <= 0:
        fail("scheduler.delivery_interval_seconds", "必须大于 0")
    if not 1 <= section.delivery_threads <= MAX_DELIVERY_THREADS:
        fail("scheduler.delivery_threads", f"必须在 1 到 {MAX_DELIVERY_THREADS} 之间")
    if section.alumni_tag_sync_seconds < 1:
        fail("scheduler.alumni_tag_sync_seconds", "至少 1 秒")
    if section.unionid_sync_seconds < 1:
        fail("scheduler.unionid_sync_seconds", "至少 1 秒")
    if section.message_log_retention_days < 1:
        fail("scheduler.message_log_retention_days", "至少 1 天")
    try:
        month, day = (int(part) for part in section.anniversary_outreach_date.split("-"))
        dt.date(2023, month, day)  # a common year: 02-29 would skip three years in four
    except ValueError:
        fail("scheduler.anniversary_outreach_date", "应为 MM-DD，例如 03-01（不要用 02-29）")


def _validate_observability(config: Config, fail) -> None:
    if config.logging.format not in LOG_FORMATS:
        fail("logging.format", "只能是 text（一行文本）或 json（每行一个 JSON 对象）")
    if config.logging.level.upper() not in LOG_LEVELS:
        fail("logging.level", f"只能是 {'、'.join(LOG_LEVELS)} 之一")
    metrics = config.metrics
    for key in ("allow", "trusted_proxies"):
        for network in getattr(metrics, key):
            try:
                ipaddress.ip_network(network.strip(), strict=False)
            except ValueError:
                fail(f"metrics.{key}", f"{network!r} 不是 IP 地址或网段（例如 10.0.0.0/8）")
    if metrics.token and len(metrics.token) < 16:
        fail("metrics.token", "至少 16 个字符（或留空，只按地址放行）")
    if not 0 <= metrics.scheduler_port <= 65535:
        fail("metrics.scheduler_port", "必须在 0 到 65535 之间（0 = 不提供）")
