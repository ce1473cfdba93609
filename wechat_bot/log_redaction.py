"""One filter over every log record the process makes: secrets out of messages, arguments and
tracebacks.

WeChat's APIs take credentials in the query string (jscode2session's `secret` and `js_code`, every
call's `access_token`) and requests writes the URL into its exceptions ("… for url: …", "Max
retries exceeded with url: …"), so a failed call logged with its traceback would print them.
The filter runs as each record is made (it wraps the log record factory), before any logger's
or handler's own filters: no handler — ours, gunicorn's, werkzeug's, APScheduler's, one a library
adds later — ever sees a record unredacted, and a traceback reaches them only as redacted text.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from urllib.parse import quote, quote_plus, urlsplit

from wechat_bot.config import SECRET_KEYS, Config

MASK = "***"
# Shorter configured values are not hunted for in free text, where they would match ordinary
# words; in URLs and JSON they are still masked by their parameter's name.
MIN_SECRET_CHARS = 6

_NAME = (r"(?:[a-z_]*(?:secret|token|signature|password|session_key)|js_code|code"
         r"|encoding_aes_key)")
# `secret=…` in a query string or a form: up to the next separator.
_PARAMETER = re.compile(rf"(?<![\w-])({_NAME})=[^&\s'\"<>()\[\]{{}},;]+", re.IGNORECASE)
# `"secret": "…"` in JSON, `'secret': '…'` in a dict's repr.
_QUOTED = re.compile(rf"(['\"])({_NAME})\1(\s*:\s*)(['\"])(?:\\.|(?!\4).)*\4", re.IGNORECASE)
_AUTHORIZATION = re.compile(r"\b(Bearer|Basic)\s+[\w.~+/=-]+", re.IGNORECASE)
# scheme://user:password@host
_USERINFO = re.compile(r"(\b[a-z][a-z0-9+.-]*://[^\s/:@]*:)[^\s/@]+@", re.IGNORECASE)
_TRACEBACKS = logging.Formatter()


class SecretRedactor(logging.Filter):
    """Masks credentials by name (URL parameters, JSON keys, Authorization, URL passwords) and the
    configured secrets wherever they appear, URL-encoded too."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: frozenset[str] = frozenset()
        self._literal: re.Pattern[str] | None = None

    def add_secrets(self, values: Iterable[str]) -> None:
        """Mask these values from now on (an app built later in this process adds its own)."""
        secrets = self._secrets | {spelling for value in values if len(value) >= MIN_SECRET_CHARS
                                   for spelling in (value, quote(value, safe=""), quote_plus(value))}
        if secrets != self._secrets:
            longest_first = sorted(secrets, key=len, reverse=True)
            self._literal = re.compile("|".join(map(re.escape, longest_first)))
            self._secrets = frozenset(secrets)

    def redact(self, text: str) -> str:
        literal = self._literal
        if literal is not None:
            text = literal.sub(MASK, text)
        text = _PARAMETER.sub(rf"\1={MASK}", text)
        text = _QUOTED.sub(rf"\1\2\1\3\4{MASK}\4", text)
        text = _AUTHORIZATION.sub(rf"\1 {MASK}", text)
        return _USERINFO.sub(rf"\1{MASK}@", text)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            message = f"{record.msg} {record.args!r}"
        redacted = self.redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        if record.exc_info:
            # Rendered once, here, and the exception dropped: no formatter can render it again.
            record.exc_text = self.redact(_TRACEBACKS.formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


# Logging's configuration is the process's own, so is the one redactor every record goes through.
_redactor = SecretRedactor()
_SECRET_FIELD = re.compile(rf"{_NAME}|authorization|cookie|set_cookie", re.IGNORECASE)


def redacted_field(name: str, value):
    """A record's extra field as a structured (JSON) log may show it: masked when its name is a
    credential's, its text redacted like a message; numbers, booleans and None as they are."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if _SECRET_FIELD.fullmatch(name):
        return MASK
    if not isinstance(value, str):
        value = json.dumps(value, ensure_ascii=False, default=str)
    return _redactor.redact(value)


def install_log_redaction(config: Config) -> SecretRedactor:
    """Redact every log record made in this process from now on, `config`'s secrets included."""
    _redactor.add_secrets(configured_secrets(config))
    make_record = logging.getLogRecordFactory()
    if not getattr(make_record, "redacts", False):
        def redacted_record(*args, **kwargs) -> logging.LogRecord:
            record = make_record(*args, **kwargs)
            _redactor.filter(record)
            return record

        redacted_record.redacts = True
        # The request-id wrapper (observability/logs.py) beneath is not added a second time.
        redacted_record.names_requests = getattr(make_record, "names_requests", False)
        logging.setLogRecordFactory(redacted_record)
    return _redactor


def configured_secrets(config: Config) -> list[str]:
    """The secret settings' values and the passwords in the database and Redis URLs."""
    values = [value for section in config.as_dict().values() for key, value in section.items()
              if key in SECRET_KEYS and isinstance(value, str) and value]
    for url in (config.database.url, config.redis.url):
        try:
            password = urlsplit(url).password
        except ValueError:
            password = None
        if password:
            values.append(password)
    return values
