"""Metrics under several processes: gunicorn's workers share a directory and `/metrics` in any
one of them adds up all of them; the scheduler serves its own, to the same addresses and token."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import requests

from tests.observability.conftest import samples
from wechat_bot.observability.scheduler_endpoint import serve_metrics

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "scheduler-scrape-token-0123456789"

# One web worker: its own app on the shared database, `count` 帮助 from distinct followers, then
# /metrics as this worker answers it (printed).
WORKER = """
import sys
from wechat_bot import create_app
from tests.wechat import say
app = create_app()
client = app.test_client()
token = app.extensions["alumni_bot"].config.wechat.token
for number in range(int(sys.argv[1])):
    assert say(client, token, f"o-mp-{number}", "帮助")
sys.stdout.write(client.get("/metrics").get_data(as_text=True))
app.extensions["alumni_bot"].close()
"""
# Another worker, lighter to start: it records what the webhook records per message (the same
# function), without building an app, and exits.
RECORDER = """
import sys
from telemetry import metrics
from wechat_bot.webhook.metrics import record_answer
metrics.use_directory(sys.argv[2])
for _ in range(int(sys.argv[1])):
    record_answer("text", "handlers.help.show_help", "text", 0.004)
"""


def _run(script: str, config, directory: Path, *args: str) -> str:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ALUMNI_BOT_")}
    env.update({"PYTHONPATH": str(ROOT), "PROMETHEUS_MULTIPROC_DIR": str(directory),
                "ALUMNI_BOT_DATABASE_URL": config.database.url,
                "ALUMNI_BOT_REDIS_URL": config.redis.url,
                "ALUMNI_BOT_REDIS_KEY_PREFIX": config.redis.key_prefix})
    done = subprocess.run([sys.executable, "-c", script, *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=90)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_metrics_add_up_across_worker_processes_sharing_the_directory(config, tmp_path):
    directory = tmp_path / "metrics"
    directory.mkdir()
    _run(RECORDER, config, directory, "2", str(directory))  # a worker that has since exited
    text = _run(WORKER, config, directory, "3")              # the worker that is scraped
    answered = sum(value for (name, labels), value in samples(text).items()
                   if name == "alumni_bot_webhook_seconds_count" and ("kind", "text") in labels)
    assert answered == 5
    assert len(list(directory.glob("histogram_*.db"))) == 2  # one file per worker process


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_scheduler_serves_its_leadership_to_the_token_only(runtime):
    from wechat_bot.commands.scheduler import build_scheduler

    section = runtime.config.replace(metrics={"allow": ["10.0.0.0/8"], "token": TOKEN}).metrics
    scheduler = build_scheduler(runtime, identity="host-a:1:abc")
    server = serve_metrics(section, _free_port())
    scheduler.scheduler.start(paused=True)  # as start() does, leadership stepped by hand here
    try:
        assert scheduler.step() and scheduler.step()  # leads, then renews its lease
        url = f"http://127.0.0.1:{server.server_port}/metrics"
        assert requests.get(url, timeout=5).status_code == 404  # loopback is not in the allow list
        response = requests.get(url, headers={"Authorization": f"Bearer {TOKEN}"}, timeout=5)
        assert response.status_code == 200
        seen = samples(response.text)
        assert seen[("alumni_bot_scheduler_leader", (("identity", "host-a:1:abc"),))] == 1
        assert seen[("alumni_bot_scheduler_lease_renewals_total", ())] >= 1
        assert seen[("alumni_bot_scheduler_leadership_acquired_total", ())] >= 1
        assert requests.get(url.replace("/metrics", "/other"), timeout=5,
                            headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 404
    finally:
        scheduler.stop()
        server.shutdown()
        server.server_close()
    assert samples(requests_free_exposition())[
        ("alumni_bot_scheduler_leader", (("identity", "host-a:1:abc"),))] == 0


def requests_free_exposition() -> str:
    from wechat_bot.observability.endpoint import exposition

    return exposition()[0].decode()
