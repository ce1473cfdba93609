"""deploy/: what can be checked without a container engine or systemd running. The gunicorn config
loads and sets what `serve` runs with; the compose file names the services and their commands;
the nginx site proxies SPEC 4's paths and keeps the sandbox out, checked as parsed text and, where
nginx is installed, as a real nginx in front of a real `alumni-bot serve`."""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import crossplane
import pytest
import requests
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

import wechat_bot
from models.db import make_engine
from tests.redis_server import free_port
from tests.test_production_guard import OWN, _Running
from tests.wechat import reply_content, signed_query, text_xml
from wechat_bot.cli import serve
from wechat_bot.migrate import upgrade
from wechat_bot.server import _Gunicorn, gunicorn_settings

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
GUNICORN_CONF = DEPLOY / "gunicorn.conf.py"
SITE = DEPLOY / "nginx" / "alumni-bot.conf"
PACKAGE = Path(wechat_bot.__file__).parent
BIN = Path(sys.executable).parent


def _gunicorn(*args: str, env: dict | None = None, cwd=None, timeout: float = 30):
    return subprocess.run([str(BIN / "gunicorn"), "-c", str(GUNICORN_CONF), *args], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=timeout, check=False)


def test_gunicorn_conf_sets_what_serve_runs_with(monkeypatch):
    from gunicorn.app.wsgiapp import WSGIApplication

    monkeypatch.setattr(sys, "argv", ["gunicorn", "-c", str(GUNICORN_CONF)])
    from_file = WSGIApplication().cfg
    defaults = {p.name: p.default for p in serve.params if p.name in ("host", "port", "workers", "threads")}
    from_serve = _Gunicorn(gunicorn_settings(**defaults)).cfg
    differ = {name for name, setting in from_file.settings.items()
              if setting.get() != from_serve.settings[name].get()}
    # Only what gunicorn's own command line needs: the app to load and the checks serve makes first.
    assert differ == {"config", "wsgi_app", "on_starting"}
    assert from_file.workers == 2 and from_file.threads == 8 and from_file.worker_class_str == "gthread"


def test_gunicorn_conf_passes_gunicorns_own_check(tmp_path):
    checked = _gunicorn("--check-config", cwd=tmp_path, env={"PATH": str(BIN), "ALUMNI_BOT_CONFIG": ""})
    assert checked.returncode == 0, checked.stderr


def test_gunicorn_conf_refuses_the_demo_settings_as_serve_does(tmp_path):
    started = _gunicorn("--bind", f"127.0.0.1:{free_port()}", cwd=tmp_path,
                        env={"PATH": str(BIN), "ALUMNI_BOT_CONFIG": ""})
    assert started.returncode == 2
    assert "配置错误" in started.stderr and "wechat.token" in started.stderr
    assert "Traceback" not in started.stderr


def _compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text())


def test_compose_runs_postgres_redis_two_web_instances_and_two_schedulers():
    services = _compose()["services"]
    assert set(services) == {"postgres", "redis", "migrate", "web1", "web2", "scheduler1",
                             "scheduler2", "nginx"}
    for name in ("web1", "web2"):
        assert services[name]["command"][:2] == ["alumni-bot", "serve"]
        assert services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    for name in ("scheduler1", "scheduler2"):
        assert services[name]["command"] == ["alumni-bot", "scheduler"]
    assert services["migrate"]["command"] == ["alumni-bot", "db", "upgrade"]
    app_env = services["web1"]["environment"]
    assert app_env["ALUMNI_BOT_DATABASE_URL"].startswith("postgresql+psycopg://")
    assert app_env["ALUMNI_BOT_REDIS_URL"] == "redis://redis:6379/0"
    assert "PROMETHEUS_MULTIPROC_DIR" in app_env
    assert services["nginx"]["build"]["target"] == "nginx"


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="docker-compose (v1) is not installed")
def test_compose_file_is_valid_for_docker_compose(tmp_path):
    (tmp_path / "deploy").mkdir()
    shutil.copy(DEPLOY / "compose.yaml", tmp_path / "deploy")
    shutil.copy(DEPLOY / "alumni-bot.env.example", tmp_path / "deploy" / "alumni-bot.env")
    checked = subprocess.run(["docker-compose", "-f", "deploy/compose.yaml", "config", "--services"],
                             cwd=tmp_path, env={"PATH": "/usr/bin:/bin", "POSTGRES_PASSWORD": "x"},
                             capture_output=True, text=True, timeout=60, check=False)
    assert checked.returncode == 0, checked.stderr
    assert len(checked.stdout.split()) == 8


def _servers() -> list[list[dict]]:
    parsed = crossplane.parse(str(SITE), single=True, check_ctx=False)
    assert parsed["status"] == "ok", parsed["errors"]
    return [d["block"] for d in parsed["config"][0]["parsed"] if d["directive"] == "server"]


def _directives(block: list[dict], name: str) -> list[list[str]]:
    return [d["args"] for d in block if d["directive"] == name]


def _locations(block: list[dict]) -> dict[str, list[dict]]:
    return {" ".join(d["args"]): d["block"] for d in block if d["directive"] == "location"}


def test_nginx_site_redirects_http_and_proxies_the_spec_paths_over_https():
    plain, tls = _servers()
    assert _directives(_locations(plain)["/"], "return") == [["301", "https://$host$request_uri"]]
    assert ["443", "ssl", "http2"] in _directives(tls, "listen")
    assert _directives(tls, "ssl_protocols") == [["TLSv1.2", "TLSv1.3"]]
    headers = {args[0]: args[1] for args in _directives(tls, "proxy_set_header")}
    assert headers["X-Request-ID"] == "$request_id"
    assert {"X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host"} <= set(headers)
    locations = _locations(tls)
    for path in ("= /wechat", "/api/v1/", "/admin", "= /healthz"):
        assert _directives(locations[path], "proxy_pass") == [["http://alumni_bot"]], path
    # WeChat waits 5 seconds: nginx waits no longer.
    assert _directives(locations["= /wechat"], "proxy_read_timeout") == [["5s"]]
    assert _directives(locations["^~ /sandbox"], "return") == [["404"]]
    metrics = locations["= /metrics"]
    assert metrics[-3]["directive"] == "deny" and metrics[-3]["args"] == ["all"]
    assert ["0.0.0.0/0"] not in _directives(metrics, "allow")
    # The static folders it serves are the package's (the Dockerfile's nginx stage copies them).
    assert _directives(locations["/admin/static/"], "alias") == [["/srv/alumni-bot/static/admin/"]]
    assert (PACKAGE / "admin" / "static" / "admin.css").is_file()
    assert (PACKAGE / "static" / "favicon.svg").is_file()


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "alumni.example.edu.cn")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .sign(key, hashes.SHA256()))
    crt, pem = folder / "alumni-bot.crt", folder / "alumni-bot.key"
    crt.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    pem.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption()))
    return crt, pem


class _Nginx:
    """The site as shipped, its machine paths and ports moved into a temp folder, in front of one
    `serve` on `app_port`; the static folders linked as docs/deployment.md links them."""

    def __init__(self, folder: Path, app_port: int) -> None:
        self.http, self.https = free_port(), free_port()
        static = folder / "static"
        static.mkdir()
        (static / "admin").symlink_to(PACKAGE / "admin" / "static")
        (static / "app").symlink_to(PACKAGE / "static")
        crt, key = _self_signed(folder)
        self.certificate = str(crt)
        (folder / "upstream.conf").write_text(
            f"upstream alumni_bot {{ server 127.0.0.1:{app_port}; keepalive 4; }}\n")
        site = SITE.read_text()
        for old, new in {"/etc/nginx/alumni-bot/upstream.conf": str(folder / "upstream.conf"),
                         "/etc/nginx/tls/alumni-bot.crt": str(crt), "/etc/nginx/tls/alumni-bot.key": str(key),
                         "/srv/alumni-bot/static": str(static), "/var/log/nginx": str(folder),
                         "listen 80;": f"listen 127.0.0.1:{self.http};", "listen [::]:80;": "",
                         "listen 443 ssl http2;": f"listen 127.0.0.1:{self.https} ssl http2;",
                         "listen [::]:443 ssl http2;": ""}.items():
            assert old in site, old
            site = site.replace(old, new)
        (folder / "site.conf").write_text(site)
        self.conf = folder / "nginx.conf"
        # As root, nginx's workers would run as nobody, who may not read pytest's temp folders.
        user = "user root;\n" if os.geteuid() == 0 else ""
        self.conf.write_text(
            f"{user}daemon off;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log;\n"
            f"events {{}}\nhttp {{\n  include /etc/nginx/mime.types;\n"
            f"  client_body_temp_path {folder}/body; proxy_temp_path {folder}/proxy;\n"
            f"  access_log off;\n  include {folder}/site.conf;\n}}\n")
        self.folder = folder
        self.process: subprocess.Popen | None = None

    def check(self) -> subprocess.CompletedProcess:
        return subprocess.run(["nginx", "-t", "-p", str(self.folder), "-c", str(self.conf)],
                              capture_output=True, text=True, timeout=30, check=False)

    def start(self) -> None:
        self.process = subprocess.Popen(["nginx", "-p", str(self.folder), "-c", str(self.conf)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        give_up = time.monotonic() + 10
        while True:
            try:
                requests.get(f"http://127.0.0.1:{self.http}/", timeout=1, allow_redirects=False)
                return
            except requests.ConnectionError:
                assert self.process.poll() is None, self.process.stderr.read()
                assert time.monotonic() < give_up, "nginx did not start"
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx is not installed")
def test_nginx_in_front_of_serve_answers_wechat_serves_static_files_and_hides_the_sandbox(tmp_path):
    database = f"sqlite:///{tmp_path}/site.db"
    engine = make_engine(database)
    upgrade(engine)
    engine.dispose()
    # The sandbox switched on by mistake (facing a stand-in, so serve allows it): nginx still hides it.
    # _Running starts the process at once: everything after it is inside the try that stops it.
    app = _Running(["serve", "--workers", "1"], tmp_path, {
        **OWN, "ALUMNI_BOT_DATABASE_URL": database, "ALUMNI_BOT_SANDBOX_ENABLED": "true",
        "ALUMNI_BOT_WECHAT_API_BASE_URL": "http://127.0.0.1:9/sandbox/api"})
    nginx = None
    try:
        nginx = _Nginx(tmp_path, app.port)
        checked = nginx.check()
        assert checked.returncode == 0, checked.stderr
        app.wait_healthy()
        nginx.start()
        base = f"https://127.0.0.1:{nginx.https}"
        https = requests.Session()
        https.trust_env = False  # a CA bundle named in the environment would replace ours
        https.verify = nginx.certificate  # the test's own self-signed certificate

        moved = requests.get(f"http://127.0.0.1:{nginx.http}/admin/", allow_redirects=False, timeout=5)
        assert moved.status_code == 301 and moved.headers["Location"].startswith("https://")

        answer = https.post(f"{base}/wechat", params=signed_query(OWN["ALUMNI_BOT_WECHAT_TOKEN"]),
                            data=text_xml("o-nginx", "帮助").encode(), timeout=10,
                            headers={"Content-Type": "text/xml"})
        assert answer.status_code == 200 and "可用指令" in reply_content(answer.text)
        assert answer.headers["X-Request-ID"] and "," not in answer.headers["X-Request-ID"]  # one id
        assert answer.headers["Strict-Transport-Security"].startswith("max-age=")

        assert https.get(f"{base}/healthz", timeout=5).json()["status"] == "ok"
        assert "登录" in https.get(f"{base}/admin/login", timeout=5).text
        assert https.get(f"{base}/api/v1/openapi.json", timeout=5).json()["openapi"].startswith("3.")
        css = https.get(f"{base}/admin/static/admin.css", timeout=5)
        assert css.status_code == 200 and css.text == (PACKAGE / "admin/static/admin.css").read_text()
        assert https.get(f"{base}/favicon.ico", timeout=5).status_code == 200
        assert https.get(f"{base}/sandbox/", timeout=5).status_code == 404
        assert https.get(f"{base}/sandbox/api/cgi-bin/token", timeout=5).status_code == 404
        # Loopback is internal: nginx lets it through to the app, which answers for itself.
        assert https.get(f"{base}/metrics", timeout=5).status_code != 403
    finally:
        if nginx is not None:
            nginx.stop()
        app.stop()


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed")
def test_systemd_units_pass_systemd_analyze_verify(tmp_path):
    for unit in (DEPLOY / "systemd").iterdir():
        # The units name the venv of docs/deployment.md; here it is this test's interpreter's.
        (tmp_path / unit.name).write_text(unit.read_text().replace("/opt/alumni-bot/venv/bin", str(BIN)))
    verified = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", "./alumni-bot-web@8001.service",
         "./alumni-bot-scheduler@9109.service", "./alumni-bot.target"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    assert verified.returncode == 0 and verified.stderr == "", verified.stderr
    web = (DEPLOY / "systemd" / "alumni-bot-web@.service").read_text()
    assert "alumni-bot serve --host 127.0.0.1 --port %i" in web
    scheduler = (DEPLOY / "systemd" / "alumni-bot-scheduler@.service").read_text()
    assert "alumni-bot scheduler --metrics-port %i" in scheduler  # two on one host: two ports
    for unit in ("alumni-bot-web@.service", "alumni-bot-scheduler@.service"):
        text = (DEPLOY / "systemd" / unit).read_text()
        for line in ("Restart=always", "EnvironmentFile=/etc/alumni-bot/alumni-bot.env",
                     "User=alumni-bot", "NoNewPrivileges=yes", "ProtectSystem=strict"):
            assert f"\n{line}\n" in text, (unit, line)
