"""What `alumni-bot demo` keeps beside its database so a restart resumes where it was.

The demo's Redis is the in-process store (`memory://`): dialogs, dedup, tokens and the whole
sandbox (who follows, the synced menu, the chat history, the clock). It is written to a file next to
the database every few seconds and when the demo stops, and read back when it starts, as Redis
itself would with a snapshot (RDB): a restart of the demo then finds the bound alumnus still
following, with his menu and his chat. Keys keep their remaining time to live.

Also the staff's config file: the demo writes its settings to `config.toml` in its folder, so
`alumni-bot broadcast`, `push-status` or `sync-menu` run there reach the demo's database and
sandbox with no environment variables.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import threading
from pathlib import Path

import fakeredis

log = logging.getLogger(__name__)

SAVE_EVERY_SECONDS = 5.0
CONFIG_MARK = "# 由 alumni-bot demo 写入"


def _raw(store) -> fakeredis.FakeRedis:
    """A client on the same in-process server that reads bytes (DUMP cannot be decoded)."""
    return fakeredis.FakeRedis(server=store.connection_pool.connection_kwargs["server"])


def save_store(store, path: Path) -> int:
    """Write every key (DUMP, with its remaining TTL) to `path`, atomically; answers how many."""
    raw = _raw(store)
    entries = []
    for key in raw.scan_iter(count=1000):
        ttl, dumped = raw.pttl(key), raw.dump(key)
        if dumped is None or ttl == -2:
            continue  # expired between the scan and now
        entries.append([base64.b64encode(key).decode(), base64.b64encode(dumped).decode(),
                        max(ttl, 0)])
    partial = path.with_suffix(path.suffix + ".tmp")
    partial.write_text(json.dumps(entries), encoding="utf-8")
    os.replace(partial, path)
    return len(entries)


def load_store(store, path: Path) -> int:
    """Put back what `save_store` wrote (nothing when there is no file); answers how many."""
    if not path.is_file():
        return 0
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        log.warning("演示状态文件 %s 无法读取，已忽略", path)
        return 0
    raw = _raw(store)
    for key, dumped, ttl in entries:
        raw.restore(base64.b64decode(key), ttl, base64.b64decode(dumped), replace=True)
    return len(entries)


class StoreKeeper:
    """Saves the store every few seconds in a thread, and once more on `stop`."""

    def __init__(self, store, path: Path, every: float = SAVE_EVERY_SECONDS) -> None:
        self._store, self._path, self._every = store, path, every
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="demo-state", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._thread.join(timeout=10)
        self._save()

    def _run(self) -> None:
        while not self._stopping.wait(self._every):
            self._save()

    def _save(self) -> None:
        try:
            save_store(self._store, self._path)
        except Exception:  # the demo goes on; the next save may work
            log.exception("保存演示状态失败")


def write_staff_config(path: Path, *, database_url: str, base_url: str) -> bool:
    """The demo's settings as `config.toml` in its folder, for staff commands run there.

    A config.toml the demo did not write is the operator's own: left alone (False).
    """
    if path.exists() and not path.read_text(encoding="utf-8").startswith(CONFIG_MARK):
        return False
    path.write_text(
        f"""{CONFIG_MARK}，每次启动演示都会重写。在本目录运行的 alumni-bot 命令
# （broadcast、push-status、sync-menu …）会读取它，连到演示的数据库和沙盒。
# 它只适用于演示：生产环境请从 config.example.toml 开始。

[app]
base_url = "{base_url}"

[database]
url = "{database_url}"

[wechat]
# 演示进程里的微信沙盒
api_base_url = "{base_url}/sandbox/api"

[sandbox]
enabled = true
""", encoding="utf-8")
    return True
