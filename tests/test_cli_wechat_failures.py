"""A CLI command that talks to WeChat answers a failure with one Chinese line and a non-zero exit:
WeChat unreachable, the credentials refused, an HTTP error, or an answer that is no JSON."""

from __future__ import annotations

import socket

import pytest
from click.testing import CliRunner
from werkzeug.wrappers import Response

from tests.loopback import running
from wechat_bot.cli import main


class Answering:
    """A stand-in for WeChat's API that answers every call the same way."""

    def __init__(self, body: str, status: int = 200, content_type: str = "application/json"):
        self.body, self.status, self.content_type = body, status, content_type

    def wsgi(self, environ, start_response):
        return Response(self.body, status=self.status, content_type=self.content_type)(
            environ, start_response)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _sync_menu(config, base_url: str):
    # The test's own key prefix: another test's CLI run may have left a token in the shared
    # in-process store under the default one, and the call would then skip stable_token.
    env = {"ALUMNI_BOT_CONFIG": "", "ALUMNI_BOT_DATABASE_URL": config.database.url,
           "ALUMNI_BOT_REDIS_URL": "memory://", "ALUMNI_BOT_REDIS_KEY_PREFIX": config.redis.key_prefix,
           "ALUMNI_BOT_WECHAT_API_BASE_URL": base_url}
    return CliRunner().invoke(main, ["sync-menu", "--dry-run"], env=env)


def _one_line(result) -> str:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


def test_wechat_unreachable_is_one_line_naming_the_address(config):
    port = _free_port()
    line = _one_line(_sync_menu(config, f"http://127.0.0.1:{port}"))
    assert line == (f"无法连接微信接口：http://127.0.0.1:{port}/cgi-bin/stable_token，"
                    "请检查网络或 wechat.api_base_url")


def test_refused_credentials_say_which_errcode_and_what_to_check(config):
    refusing = Answering('{"errcode": 40125, "errmsg": "invalid appsecret"}')
    with running(refusing) as base_url:
        line = _one_line(_sync_menu(config, base_url))
    assert line.startswith("微信拒绝了请求：错误码 40125（AppSecret 无效）")
    assert "app_secret" in line and config.wechat.app_secret not in line


@pytest.mark.parametrize("answer, expected", [
    (Answering("<html>bad gateway</html>", 502, "text/html"), "微信接口出错（HTTP 502）"),
    (Answering("<html>登录页</html>", 200, "text/html"), "微信接口出错（回答不是 JSON 对象）"),
    (Answering('{"expires_in": 7200}'), "微信接口出错（回答中没有 access_token）"),
])
def test_an_unexpected_answer_is_one_line(config, answer, expected):
    with running(answer) as base_url:
        line = _one_line(_sync_menu(config, base_url))
    assert line.startswith(expected) and base_url in line


def test_a_menu_call_answering_a_web_page_is_one_line(config):
    class TokenThenPage(Answering):
        def wsgi(self, environ, start_response):
            if environ["PATH_INFO"] == "/cgi-bin/stable_token":
                return Response('{"access_token": "t", "expires_in": 7200}',
                                content_type="application/json")(environ, start_response)
            return super().wsgi(environ, start_response)

    with running(TokenThenPage("<html>维护中</html>", 200, "text/html")) as base_url:
        result = _sync_menu(config, base_url)
    assert _one_line(result).startswith("微信接口出错（回答不是 JSON）")
