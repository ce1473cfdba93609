"""How every process writes its log: `[logging] format` text (one line) or json (one object per
line), at `[logging] level`, each record naming the request it belongs to.

`configure_logging` is called at start-up by the CLI (every command, `serve` and `scheduler`
included; gunicorn's workers inherit it) and by gunicorn_hooks.py when gunicorn runs the app
itself. Secrets are taken out before any formatter sees a record (log_redaction.py); the JSON
formatter also redacts the extra fields a caller attaches, which no message text carries.
"""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from telemetry.requests import current_request_id
from wechat_bot.config import LoggingSection
from wechat_bot.log_redaction import redacted_field

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s%(request_tag)s: %(message)s"
# The fields of a JSON line, in order; any `extra=` a caller passes follows them.
JSON_FIELDS = ("asctime", "levelname", "name", "message", "request_id", "process", "threadName")
_RENAMED = {"asctime": "time", "levelname": "level", "name": "logger", "threadName": "thread",
            "exc_info": "exception", "stack_info": "stack"}
_OWN = frozenset(_RENAMED.values()) | {"message", "request_id", "process"}


class TextFormatter(logging.Formatter):
    """The classic line, with the request's id after the logger's name when there is one."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def formatMessage(self, record: logging.LogRecord) -> str:
        request_id = getattr(record, "request_id", None)
        record.request_tag = f" [{request_id}]" if request_id else ""
        return super().formatMessage(record)


class JsonLineFormatter(JsonFormatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, request_id,
    process, thread, exception (the redacted traceback) and any extra fields, redacted."""

    def __init__(self) -> None:
        super().__init__(list(JSON_FIELDS), rename_fields=_RENAMED, json_ensure_ascii=False,
                         reserved_attrs=[*RESERVED_ATTRS, "request_tag"])

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")

    def process_log_record(self, log_data: dict) -> dict:
        return {key: value if key in _OWN else redacted_field(key, value)
                for key, value in log_data.items()}


def install_request_ids() -> None:
    """Every log record made from now on carries `request_id` (None outside a request)."""
    make_record = logging.getLogRecordFactory()
    if getattr(make_record, "names_requests", False):
        return

    def with_request_id(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        record.request_id = current_request_id()
        return record

    with_request_id.names_requests = True
    with_request_id.redacts = getattr(make_record, "redacts", False)
    logging.setLogRecordFactory(with_request_id)


def formatter_for(section: LoggingSection) -> logging.Formatter:
    return JsonLineFormatter() if section.format == "json" else TextFormatter()


def configure_logging(section: LoggingSection, stream=None) -> logging.Handler | None:
    """The process's one log handler (to stderr, or `stream`), in the configured format and
    level; calling it again (the CLI, then `serve`) replaces it rather than adding a second.
    Like logging.basicConfig, it leaves a log someone else set up alone (a test runner's, a
    command run inside another program), unless given a stream of its own."""
    install_request_ids()
    root = logging.getLogger()
    if stream is None and any(not getattr(h, "alumni_bot", False) for h in root.handlers):
        return None
    for handler in [h for h in root.handlers if getattr(h, "alumni_bot", False)]:
        root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.alumni_bot = True
    handler.setFormatter(formatter_for(section))
    root.addHandler(handler)
    root.setLevel(section.level.upper())
    logging.getLogger("alembic").setLevel(logging.WARNING)
    return handler
