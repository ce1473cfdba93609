"""Configuration: lookup order, environment overrides, one clear line per mistake, no secret shown."""

import pytest

from wechat_bot.config import ConfigError, load_config


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_without_any_file_the_demo_defaults_apply(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = load_config(environ={})
    assert config.database.url == "sqlite:///alumni.db"
    assert config.redis.url == "memory://"
    assert config.app.timezone == "Asia/Shanghai"
    assert config.reunion.anniversary_years == [10, 20, 30, 40, 50, 60]
    assert config.reunion.open_weekdays == [6, 7]


def test_lookup_order_is_path_then_environment_variable_then_local_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "config.toml", '[app]\nschool_name = "本地"\n')
    env_file = write(tmp_path / "env.toml", '[app]\nschool_name = "环境"\n')
    given = write(tmp_path / "given.toml", '[app]\nschool_name = "指定"\n')
    assert load_config(environ={}).app.school_name == "本地"
    assert load_config(environ={"ALUMNI_BOT_CONFIG": str(env_file)}).app.school_name == "环境"
    assert load_config(given, environ={"ALUMNI_BOT_CONFIG": str(env_file)}).app.school_name == "指定"


def test_environment_overrides_every_key_with_typed_values(tmp_path):
    file = write(tmp_path / "c.toml", '[database]\nurl = "sqlite:///file.db"\n[push]\nrate_per_second = 5\n')
    config = load_config(file, environ={
        "ALUMNI_BOT_DATABASE_URL": "postgresql+psycopg://u:pw@db/alumni",
        "ALUMNI_BOT_WECHAT_APP_SECRET": "s3cret",
        "ALUMNI_BOT_PUSH_RATE_PER_SECOND": "12.5",
        "ALUMNI_BOT_REUNION_OPEN_WEEKDAYS": "5,6,7",
        "ALUMNI_BOT_REUNION_SEASON_START": "2027-04-01",
        "ALUMNI_BOT_SANDBOX_ENABLED": "true",
    })
    assert config.database.url == "postgresql+psycopg://u:pw@db/alumni"
    assert config.wechat.app_secret == "s3cret"
    assert config.push.rate_per_second == 12.5
    assert config.reunion.open_weekdays == [5, 6, 7]
    assert str(config.reunion.season_start) == "2027-04-01"
    assert config.sandbox.enabled is True


@pytest.mark.parametrize("toml, env, key", [
    ('[push]\nmax_attempts = "many"\n', {}, "push.max_attempts"),
    ("", {"ALUMNI_BOT_PUSH_MAX_ATTEMPTS": "three"}, "push.max_attempts"),
    ('[wechat]\nencoding_aes_key = "tooshort"\n', {}, "wechat.encoding_aes_key"),
    ('[app]\ntimezone = "Mars/Olympus"\n', {}, "app.timezone"),
    ('[app]\nproxies = -1\n', {}, "app.proxies"),
    ('[reunion]\nopen_weekdays = [0, 6]\n', {}, "reunion.open_weekdays"),
    ('[reunion]\nseason_start = 2027-05-01\nseason_end = 2027-04-01\n', {}, "reunion.season_end"),
    ('[database]\nurl = "mysql://x"\n', {}, "database.url"),
    ('[redis]\nurl = "localhost:6379"\n', {}, "redis.url"),
    ('[sandbox]\nenabled = "yes please"\n', {}, "sandbox.enabled"),
    ('[wechat]\ntokn = "typo"\n', {}, "wechat.tokn"),
    ('[wechat]\nreply_deadline_seconds = 6\n', {}, "wechat.reply_deadline_seconds"),
    ('[push]\nrate_per_second = 0\n', {}, "push.rate_per_second"),
    ('[push]\ntemplate_id = "t"\n', {}, "push.template_data"),
    ('[push]\ntemplate_id = "t"\ntemplate_data = ["thing1={name}"]\n', {}, "push.template_data"),
    ('[push]\nlease_seconds = 3\n', {}, "push.lease_seconds"),
    ('[push]\nidempotency_window_seconds = 0\n', {}, "push.idempotency_window_seconds"),
    ('[push]\nidempotency_window_seconds = 601\n', {}, "push.idempotency_window_seconds"),
    ('[push]\nidempotency_window_seconds = 100\n', {}, "push.idempotency_window_seconds"),
    ('[push]\nminiprogram_state = "beta"\n', {}, "push.miniprogram_state"),
])
def test_a_bad_value_stops_start_up_with_one_line_naming_the_key(tmp_path, toml, env, key):
    file = write(tmp_path / "c.toml", toml)
    with pytest.raises(ConfigError) as caught:
        load_config(file, environ=env)
    message = str(caught.value)
    assert key in message and "\n" not in message


def test_unknown_section_is_named(tmp_path):
    with pytest.raises(ConfigError, match=r"\[wechatt\]"):
        load_config(write(tmp_path / "c.toml", "[wechatt]\ntoken = 'x'\n"), environ={})


def test_unparseable_file_is_reported_with_its_name(tmp_path):
    with pytest.raises(ConfigError, match=r"c\.toml"):
        load_config(write(tmp_path / "c.toml", "[app\n"), environ={})


def test_missing_file_is_reported(tmp_path):
    with pytest.raises(ConfigError, match="不存在"):
        load_config(tmp_path / "nope.toml", environ={})


def test_secrets_never_appear_in_errors_or_the_printable_config(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path / "c.toml", "[wechat]\ntoken = 42\n"), environ={})
    assert "42" not in str(caught.value)
    config = load_config(environ={"ALUMNI_BOT_WECHAT_APP_SECRET": "topsecret",
                                  "ALUMNI_BOT_DATABASE_URL": "postgresql+psycopg://alumni:dbpass@db/alumni"})
    printable = repr(config.redacted())
    assert "topsecret" not in printable and "dbpass" not in printable
    assert "postgresql+psycopg://alumni:***@db/alumni" in printable


def test_the_example_config_is_complete_and_valid():
    from pathlib import Path

    from wechat_bot.config import Config, _keys, _sections

    example = Path(__file__).parent.parent / "config.example.toml"
    config = load_config(example, environ={})
    assert isinstance(config, Config)
    text = example.read_text(encoding="utf-8")
    for name, section_type in _sections().items():
        assert f"[{name}]" in text
        for key in _keys(section_type):
            assert f"\n{key.name} =" in text or f"\n# {key.name} =" in text, f"{name}.{key.name} undocumented"


def test_feature_settings_come_from_the_configuration():
    config = load_config(environ={"ALUMNI_BOT_DIRECTORY_SEARCHES_PER_HOUR": "12",
                                  "ALUMNI_BOT_REUNION_ANNIVERSARY_YEARS": "10,25",
                                  "ALUMNI_BOT_REDIS_KEY_PREFIX": "school2:"})
    settings = config.features
    assert settings.directory is config.directory and settings.reunion is config.reunion
    assert settings.directory.searches_per_hour == 12
    assert settings.directory.key_prefix == "school2:directory:"
    assert settings.reunion.anniversary_years == [10, 25]


def test_derived_feature_settings_are_not_keys_of_the_file(tmp_path):
    with pytest.raises(ConfigError, match=r"未知的配置项 directory\.key_prefix"):
        load_config(write(tmp_path / "c.toml", '[directory]\nkey_prefix = "x:"\n'), environ={})
    config = load_config(environ={"ALUMNI_BOT_DIRECTORY_KEY_PREFIX": "x:",
                                  "ALUMNI_BOT_SCHEDULER_ANNIVERSARY_OUTREACH_DATE": "04-15"})
    assert config.directory.key_prefix == "ab:directory:"  # the environment names keys only
    assert config.reunion.anniversary_outreach_date == "04-15"
    assert "key_prefix" not in config.as_dict()["directory"]
    assert config.replace(redis={"key_prefix": "s2:"}).directory.key_prefix == "s2:directory:"


@pytest.mark.parametrize("toml, why", [
    ('[wechat]\nmessage_mode = "strict"\n', "compatible"),
    ('[wechat]\nmessage_mode = "safe"\n', "encoding_aes_key"),
    ('[wechat]\ntimestamp_tolerance_seconds = 5\n', "30"),
    ('[wechat]\ntimestamp_tolerance_seconds = 86400\n', "3600"),
])
def test_message_mode_and_timestamp_tolerance_are_checked_at_start_up(tmp_path, toml, why):
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path / "c.toml", toml), environ={})
    message = str(caught.value)
    assert "无效" in message and why in message and "\n" not in message
    assert "wechat.message_mode" in message or "wechat.timestamp_tolerance_seconds" in message


def test_safe_mode_with_an_aes_key_and_a_tolerance_are_accepted(tmp_path):
    config = load_config(environ={"ALUMNI_BOT_WECHAT_MESSAGE_MODE": "safe",
                                  "ALUMNI_BOT_WECHAT_ENCODING_AES_KEY": "a" * 43,
                                  "ALUMNI_BOT_WECHAT_TIMESTAMP_TOLERANCE_SECONDS": "120"})
    assert config.wechat.message_mode == "safe" and config.wechat.timestamp_tolerance_seconds == 120
    assert load_config(environ={}).wechat.timestamp_tolerance_seconds == 300
