"""Secrets never reach the log in JSON either: not in the message, not in a traceback, not in
the extra fields a caller attaches (which a text line never showed)."""

from __future__ import annotations

import logging
import secrets

from wechat_bot import create_app
from wechat_bot.log_redaction import MASK


def test_json_log_lines_mask_configured_secrets_urls_tracebacks_and_extra_fields(config, json_log):
    app_secret = f"oa-{secrets.token_hex(16)}"
    metrics_token = secrets.token_hex(16)
    app = create_app(config.replace(wechat={"app_secret": app_secret},
                                    metrics={"token": metrics_token}))
    log = logging.getLogger("wechat_bot.wechat_client")
    url = f"https://api.weixin.qq.com/sns/jscode2session?appid=wx1&secret={app_secret}&js_code=abc123"
    log.warning("调用失败：%s", url)
    try:
        raise ConnectionError(f"Max retries exceeded with url: /cgi-bin/token?access_token=AT{app_secret}")
    except ConnectionError:
        log.exception("获取令牌失败")
    log.info("抓取指标", extra={"authorization": f"Bearer {metrics_token}",
                              "app_secret": app_secret, "url": url, "attempt": 2})
    app.extensions["alumni_bot"].close()

    text = json_log.text()
    assert app_secret not in text and metrics_token not in text and "abc123" not in text
    json_log.lines()  # every line is one JSON object
    [failed] = json_log.with_message("调用失败")
    [token] = json_log.with_message("获取令牌失败")
    [scraped] = json_log.with_message("抓取指标")
    assert failed["message"].startswith("调用失败：https://api.weixin.qq.com/sns/jscode2session")
    assert f"secret={MASK}" in failed["message"]
    assert "ConnectionError" in token["exception"] and f"access_token={MASK}" in token["exception"]
    assert scraped["app_secret"] == MASK and scraped["authorization"] == MASK
    assert f"secret={MASK}" in scraped["url"] and scraped["attempt"] == 2
