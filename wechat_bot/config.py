"""Configuration: one TOML file plus ALUMNI_BOT_<SECTION>_<KEY> overrides, typed and validated once.

Lookup order (SPEC 3): --config PATH, $ALUMNI_BOT_CONFIG, ./config.toml, else the built-in demo
defaults. Every problem raises ConfigError with one line that names the key; secrets are masked
wherever the configuration is printed.

A feature's section is read straight into the feature's own dataclass: every dataclass field of
handlers.settings.Settings is a section (`[reunion]` into handlers.reunion.settings.ReunionSettings,
`[directory]` into handlers.directory.settings), checked by the feature's own `problems()`. So
`Config.features` is what the bot, the API and the jobs read (`config.reunion` is short for
`config.features.reunion`), and a new feature's section needs no line here. The other sections are
the app's own and stay here.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import tomllib
import types
import typing
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path

from handlers.settings import Settings, feature_sections

ENV_PREFIX = "ALUMNI_BOT_"
SECRET_KEYS = {"secret_key", "app_secret", "token", "encoding_aes_key"}
DEMO_SECRET_KEY = "demo-secret-key-change-me"
DEMO_TOKEN = "alumni-demo-token"
MESSAGE_MODES = ("compatible", "safe")


class ConfigError(Exception):
    """Bad configuration; str() is the single line shown to the operator."""


@dataclass(frozen=True)
class AppSection:
    secret_key: str = DEMO_SECRET_KEY
    base_url: str = "http://127.0.0.1:5000"
    timezone: str = "Asia/Shanghai"
    school_name: str = "示例大学"
    account_name: str = "示例大学校友会"
    # Reverse proxies (nginx) in front that set X-Forwarded-For/-Proto/-Host: 0 = none, the
    # connection's peer is the client. Behind deploy/'s nginx: 1.
    proxies: int = 0


@dataclass(frozen=True)
class DatabaseSection:
    url: str = "sqlite:///alumni.db"


@dataclass(frozen=True)
class RedisSection:
    url: str = "memory://"
    key_prefix: str = "ab:"


@dataclass(frozen=True)
class WechatSection:
    token: str = DEMO_TOKEN
    app_id: str = "wxdemo0000000000"
    app_secret: str = "demo-app-secret"
    encoding_aes_key: str = ""
    message_mode: str = "compatible"
    timestamp_tolerance_seconds: int = 300
    original_id: str = "gh_alumnidemo01"
    api_base_url: str = "https://api.weixin.qq.com"
    request_timeout_seconds: float = 5.0
    reply_deadline_seconds: float = 4.0
    dedup_ttl_seconds: int = 300
    dialog_ttl_seconds: int = 600


@dataclass(frozen=True)
class MiniprogramSection:
    app_id: str = "wxdemominiprog00"
    app_secret: str = "demo-miniprogram-secret"


@dataclass(frozen=True)
class PushSection:
    rate_per_second: float = 20.0
    max_attempts: int = 5
    retry_base_seconds: float = 30.0
    lease_seconds: float = 120.0
    # A template row is resent with its client_msg_id only within this long of the first try;
    # WeChat honours the key 10 minutes. More than lease_seconds, at most 600.
    idempotency_window_seconds: float = 540.0
    # Template message (模板消息): the id and how a push fills it, "key=pattern" per field.
    template_id: str = ""
    template_data: list[str] = field(default_factory=list)
    # Mini-program subscribe message (订阅消息): the same for the mini-program's template.
    miniprogram_template_id: str = ""
    miniprogram_template_data: list[str] = field(default_factory=list)
    miniprogram_page: str = ""
    miniprogram_state: str = "formal"


@dataclass(frozen=True)
class SandboxSection:
    enabled: bool = False


# Each delivery thread holds a database connection and an HTTP connection while it sends.
MAX_DELIVERY_THREADS = 16


@dataclass(frozen=True)
class SchedulerSection:
    leader_lease_seconds: float = 30.0
    leader_renew_seconds: float = 10.0
    misfire_grace_seconds: int = 3600
    delivery_interval_seconds: float = 2.0
    delivery_threads: int = 4
    alumni_tag_sync_seconds: float = 60.0
    unionid_sync_seconds: float = 5.0
    message_log_retention_days: int = 180
    anniversary_outreach_date: str = "03-01"


LOG_FORMATS = ("text", "json")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


@dataclass(frozen=True)
class LoggingSection:
    format: str = "text"
    level: str = "INFO"


@dataclass(frozen=True)
class MetricsSection:
    enabled: bool = True
    # Who may read /metrics: these client addresses, or a request with the bearer token.
    allow: list[str] = field(default_factory=lambda: ["127.0.0.1/32", "::1/128"])
    token: str = ""
    # Proxies (nginx) whose X-Forwarded-For names the client; anyone else's is ignored.
    trusted_proxies: list[str] = field(default_factory=list)
    # Where `serve`'s gunicorn workers keep their metrics; "" = a fresh temporary directory.
    multiprocess_dir: str = ""
    # `alumni-bot scheduler` serves its own /metrics here; port 0 = not at all.
    scheduler_host: str = "127.0.0.1"
    scheduler_port: int = 9109


@dataclass(frozen=True)
class Config:
    app: AppSection = field(default_factory=AppSection)
    database: DatabaseSection = field(default_factory=DatabaseSection)
    redis: RedisSection = field(default_factory=RedisSection)
    wechat: WechatSection = field(default_factory=WechatSection)
    miniprogram: MiniprogramSection = field(default_factory=MiniprogramSection)
    push: PushSection = field(default_factory=PushSection)
    sandbox: SandboxSection = field(default_factory=SandboxSection)
    scheduler: SchedulerSection = field(default_factory=SchedulerSection)
    logging: LoggingSection = field(default_factory=LoggingSection)
    metrics: MetricsSection = field(default_factory=MetricsSection)
    # What handlers get as `Context.settings`: the school's names and every feature's section.
    features: Settings = field(default_factory=Settings)
    source: str = "内置演示默认值"

    def __getattr__(self, name: str):
        """`config.reunion` is `config.features.reunion`: a feature's section, by its name."""
        if name in feature_sections() and "features" in self.__dict__:
            return getattr(self.__dict__["features"], name)
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def replace(self, **sections: dict) -> Config:
        """A copy with some keys changed, validated like a file: replace(redis={"url": ...})."""
        raw = self.as_dict()
        for name, values in sections.items():
            raw[name].update(values)
        return build_config(raw, self.source)

    def as_dict(self) -> dict[str, dict]:
        """The file's keys and their values (what `replace` edits): derived fields left out."""
        out = {}
        for name, section_type in _sections().items():
            values = dataclasses.asdict(getattr(self, name))
            out[name] = {key.name: values[key.name] for key in _keys(section_type)}
        return out

    def redacted(self) -> dict[str, dict]:
        """The configuration safe to log or print: secrets and database passwords masked."""
        out = self.as_dict()
        for values in out.values():
            for key in values:
                if key in SECRET_KEYS and values[key]:
                    values[key] = "***"
        out["database"]["url"] = _mask_password(out["database"]["url"])
        out["redis"]["url"] = _mask_password(out["redis"]["url"])
        return out

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.app.timezone)


def _sections() -> dict[str, type]:
    """Every section of the file by name: the app's own, then each feature's."""
    hints = typing.get_type_hints(Config)
    own = {f.name: hints[f.name] for f in dataclasses.fields(Config)
           if f.name not in ("features", "source")}
    return own | feature_sections()


def _keys(section_type: type) -> list[dataclasses.Field]:
    """The keys a section has in the file and the environment: not the fields `_derive` fills."""
    return [f for f in dataclasses.fields(section_type) if not f.metadata.get("derived")]


def _derive(config: Config) -> Config:
    """Fill in what a feature's settings hold but the file does not set in the feature's section."""
    features = dataclasses.replace(
        config.features,
        directory=dataclasses.replace(config.directory,
                                      key_prefix=f"{config.redis.key_prefix}directory:"),
        reunion=dataclasses.replace(
            config.reunion, anniversary_outreach_date=config.scheduler.anniversary_outreach_date),
        admin=dataclasses.replace(config.admin, key_prefix=f"{config.redis.key_prefix}admin:"),
    )
    return dataclasses.replace(config, features=features)


def _mask_password(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in credentials else url


def load_config(path: str | os.PathLike | None = None, environ: typing.Mapping[str, str] | None = None) -> Config:
    """Read the configuration the way SPEC 3 orders it, then apply environment overrides."""
    environ = os.environ if environ is None else environ
    chosen = path or environ.get(f"{ENV_PREFIX}CONFIG") or None
    if chosen is None and Path("config.toml").is_file():
        chosen = "config.toml"
    raw: dict[str, dict] = {}
    source = "内置演示默认值"
    if chosen is not None:
        file = Path(chosen)
        if not file.is_file():
            raise ConfigError(f"配置文件不存在：{file}")
        try:
            raw = tomllib.loads(file.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"配置文件 {file} 无法解析：{exc}") from None
        source = str(file)
    raw = _apply_environment(raw, environ)
    return build_config(raw, source)


def _apply_environment(raw: dict, environ: typing.Mapping[str, str]) -> dict:
    raw = {name: dict(values) if isinstance(values, dict) else values for name, values in raw.items()}
    for name, section_type in _sections().items():
        for key in _keys(section_type):
            variable = f"{ENV_PREFIX}{name}_{key.name}".upper()
            if variable in environ:
                raw.setdefault(name, {})[key.name] = _EnvText(environ[variable])
    return raw


class _EnvText(str):
    """A value that came from the environment, so it is parsed from text rather than TOML."""


def build_config(raw: dict, source: str = "内置演示默认值") -> Config:
    sections = {}
    known_sections = _sections()
    for name in raw:
        if name not in known_sections:
            raise ConfigError(f"未知的配置段 [{name}]（{source}）")
    for name, cls in known_sections.items():
        values = raw.get(name, {})
        if not isinstance(values, dict):
            raise ConfigError(f"配置段 [{name}] 必须是一个表（{source}）")
        hints = typing.get_type_hints(cls)
        known = {f.name for f in _keys(cls)}
        for key in values:
            if key not in known:
                raise ConfigError(f"未知的配置项 {name}.{key}（{source}）")
        typed = {key: _coerce(f"{name}.{key}", hints[key], value) for key, value in values.items()}
        sections[name] = cls(**typed)
    app = sections["app"]
    features = Settings(school_name=app.school_name, account_name=app.account_name,
                        timezone=app.timezone,
                        **{name: sections.pop(name) for name in feature_sections()})
    config = Config(**sections, features=features, source=source)
    from wechat_bot.config_checks import check

    check(config)
    return _derive(config)


def _coerce(name: str, hint, value):
    """Turn a TOML or environment value into the declared type, or say which key is wrong."""
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    from_env = isinstance(value, _EnvText)
    if origin in (typing.Union, types.UnionType) and type(None) in args:
        if value is None or (from_env and value.strip() == ""):
            return None
        inner = next(a for a in args if a is not type(None))
        return _coerce(name, inner, value)
    try:
        if hint is bool:
            if from_env:
                lowered = value.strip().lower()
                if lowered in {"1", "true", "yes", "on"}:
                    return True
                if lowered in {"0", "false", "no", "off"}:
                    return False
                raise ValueError
            if isinstance(value, bool):
                return value
            raise ValueError
        if hint is int:
            if isinstance(value, (bool, float)):
                raise ValueError
            return int(value)
        if hint is float:
            if isinstance(value, bool):
                raise ValueError
            return float(value)
        if hint is str:
            if from_env or isinstance(value, str):
                return str(value)
            raise ValueError
        if hint is dt.date:
            if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
                return value
            return dt.date.fromisoformat(str(value).strip())
        if origin is list:
            items = [v for v in value.replace("，", ",").split(",") if v.strip()] if from_env else value
            if not isinstance(items, list):
                raise ValueError
            return [_coerce(name, args[0], _EnvText(i.strip()) if from_env else i) for i in items]
    except ConfigError:
        raise
    except (TypeError, ValueError):
        pass
    raise ConfigError(f"配置项 {name} 的值 {_show(name, value)} 无效：应为{_describe(hint)}")


def _show(name: str, value) -> str:
    return "***" if name.rsplit(".", 1)[-1] in SECRET_KEYS else repr(str(value) if isinstance(value, _EnvText) else value)


def _describe(hint) -> str:
    names = {bool: "布尔值（true/false）", int: "整数", float: "数字", str: "字符串", dt.date: "日期（YYYY-MM-DD）"}
    if typing.get_origin(hint) is list:
        return f"{names[typing.get_args(hint)[0]]}列表"
    return names.get(hint, str(hint))
