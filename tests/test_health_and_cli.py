"""/healthz, and the CLI as an operator uses it."""

import subprocess
import sys

from click.testing import CliRunner

from models.db import make_engine
from wechat_bot.cli import main
from wechat_bot.migrate import head_revision, upgrade


def test_health_reports_database_and_redis_up(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "redis": "ok"}


def test_health_is_503_when_redis_is_down(make_app):
    client = make_app(redis={"url": "redis://127.0.0.1:1/0"}).test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["redis"] == "down"
    assert response.get_json()["database"] == "ok"


def test_health_is_503_when_the_database_is_down(make_app, tmp_path):
    client = make_app(database={"url": f"sqlite:///{tmp_path}/missing-dir/x.db"}).test_client()
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "down"


def _cli(args, tmp_path, **env):
    return CliRunner().invoke(main, args, env={"ALUMNI_BOT_CONFIG": "", **env}, catch_exceptions=False)


def test_init_db_then_db_upgrade_on_a_fresh_sqlite_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    url = f"sqlite:///{tmp_path}/fresh.db"
    result = CliRunner().invoke(main, ["init-db"], env={"ALUMNI_BOT_DATABASE_URL": url})
    assert result.exit_code == 0, result.output
    assert "数据库已就绪" in result.output
    result = CliRunner().invoke(main, ["db", "upgrade"], env={"ALUMNI_BOT_DATABASE_URL": url})
    assert result.exit_code == 0 and head_revision() in result.output


def test_db_upgrade_moves_an_older_schema_to_the_newest(tmp_path):
    url = f"sqlite:///{tmp_path}/old.db"
    upgrade(make_engine(url), "0001")
    result = CliRunner().invoke(main, ["db", "upgrade"], env={"ALUMNI_BOT_DATABASE_URL": url})
    assert result.exit_code == 0
    assert f"0001 → {head_revision()}" in result.output


def test_serve_with_several_workers_refuses_the_in_process_store(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["serve", "--workers", "2"], env={
        "ALUMNI_BOT_REDIS_URL": "memory://", "ALUMNI_BOT_WECHAT_TOKEN": "own", "ALUMNI_BOT_APP_SECRET_KEY": "own"})
    assert result.exit_code == 2
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "memory://" in lines[0] and "Redis" in lines[0]


def test_bad_configuration_stops_the_command_with_one_line(tmp_path):
    process = subprocess.run(
        [sys.executable, "-m", "wechat_bot", "init-db"], cwd=tmp_path, capture_output=True, text=True,
        env={"ALUMNI_BOT_PUSH_MAX_ATTEMPTS": "lots", "PATH": "/usr/bin:/bin"},
    )
    assert process.returncode == 2
    lines = [line for line in process.stderr.splitlines() if line.strip()]
    assert lines == ["配置错误：配置项 push.max_attempts 的值 'lots' 无效：应为整数"]


def test_a_command_on_a_database_without_tables_says_to_run_init_db(tmp_path):
    process = subprocess.run(
        [sys.executable, "-m", "wechat_bot", "push-status", "1"], cwd=tmp_path,
        capture_output=True, text=True,
        env={"ALUMNI_BOT_DATABASE_URL": f"sqlite:///{tmp_path}/empty.db", "PATH": "/usr/bin:/bin"},
    )
    assert process.returncode == 1
    lines = [line for line in process.stderr.splitlines() if line.strip()]
    assert lines[-1] == (f"数据库 sqlite:///{tmp_path}/empty.db 里还没有表：先运行 alumni-bot init-db，"
                         "或用 ALUMNI_BOT_DATABASE_URL / --config 指向已有的数据库")
    assert "Traceback" not in process.stderr


def _config_file(tmp_path, database_url: str):
    path = tmp_path / "staff.toml"
    path.write_text(f'[database]\nurl = "{database_url}"\n', encoding="utf-8")
    return path


def test_config_works_after_the_subcommand_as_before_it(tmp_path):
    url = f"sqlite:///{tmp_path}/chosen.db"
    config = _config_file(tmp_path, url)
    for args in (["--config", str(config), "db", "current"], ["db", "current", "--config", str(config)],
                 ["db", "upgrade", "--config", str(config)]):
        result = CliRunner().invoke(main, args, env={"ALUMNI_BOT_CONFIG": ""})
        assert result.exit_code == 0, (args, result.output)
    assert (tmp_path / "chosen.db").exists()
    result = CliRunner().invoke(main, ["push-status", "1", "--config", str(config)],
                                env={"ALUMNI_BOT_CONFIG": ""})
    assert "没有编号为 1 的推送" in result.output, result.output


def test_version_is_alumni_bots_own(tmp_path):
    from importlib.metadata import version

    result = CliRunner().invoke(main, ["--version"])
    assert result.output.strip() == f"alumni-bot {version('alumni-bot')}"


def test_help_lists_our_commands_without_flasks_options(tmp_path):
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for command in ("demo", "serve", "broadcast", "push-status", "sync-menu", "import-roster"):
        assert command in result.output
    for flask_only in ("--app", "-A,", "--debug", "--env-file", "Flask"):
        assert flask_only not in result.output
    assert "显示本帮助" in CliRunner().invoke(main, ["broadcast", "--help"]).output


def test_the_pages_have_a_favicon(client):
    icon = client.get("/favicon.ico")
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert client.get("/static/favicon.svg").status_code == 200
    assert 'rel="icon" href="/static/favicon.svg"' in client.get("/api/v1/docs").get_data(as_text=True)
