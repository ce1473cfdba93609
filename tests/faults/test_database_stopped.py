"""PostgreSQL stopped under a served instance: a message gets 「系统维护中」 (never WeChat's
"该公众号暂时无法提供服务"), the API a JSON error, the admin a Chinese page, `/healthz` 503 —
no 500 anywhere — and full service returns by itself when the database does, without a restart.

The database is a throwaway cluster of the test's own (initdb + pg_ctl on a free port), since it
is stopped and started here; Redis is a redis-server of its own too.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import pytest
import requests
from sqlalchemy import select

from handlers.staff.accounts import Place, create_account
from handlers.staff.settings import AdminSettings
from models import StaffRole, WechatUser
from models.db import make_engine, make_session_factory
from tests.faults.support import (
    SECRET_KEY,
    PostgresCluster,
    Served,
    app_environment,
    migrate,
    wait_until,
)
from tests.roster import add_alumnus
from tests.wechat import reply_content, text_xml
from wechat_bot.api.tokens import TokenService
from wechat_bot.store import Keys, connect_store
from wechat_bot.webhook.answer import MAINTENANCE

PASSWORD = "correct-horse-42"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture(scope="module")
def cluster():
    cluster = PostgresCluster()
    try:
        cluster.start()
        migrate(cluster.url)
        yield cluster
    finally:
        cluster.remove()


def _seed(url: str) -> None:
    engine = make_engine(url)
    try:
        with make_session_factory(engine).begin() as session:
            add_alumnus(session, "2010010001", "赵敏", 2010)
            create_account(session, "duty", PASSWORD, StaffRole.ADMIN, Place(),
                           settings=AdminSettings(), now=datetime.now(UTC))
    finally:
        engine.dispose()


def _api_token(redis_url: str, prefix: str, database_url: str, openid: str) -> dict:
    """The headers of a mini-program session for `openid`, as /auth/login would issue it."""
    engine = make_engine(database_url)
    with make_session_factory(engine)() as session:
        user_id = session.scalar(select(WechatUser.id).where(WechatUser.openid == openid))
    engine.dispose()
    store = connect_store(redis_url)
    try:
        issued = TokenService(SECRET_KEY, store, Keys(prefix)).issue(user_id)
    finally:
        store.close()
    return {"Authorization": f"Bearer {issued.token}"}


def _log_in(served: Served) -> requests.Session:
    browser = requests.Session()
    token = CSRF.search(browser.get(f"{served.url}/admin/login", timeout=10).text).group(1)
    response = browser.post(f"{served.url}/admin/login", timeout=10, data={
        "username": "duty", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 200 and "退出" in response.text, response.text[:500]
    return browser


def test_with_the_database_stopped_every_door_says_maintenance_and_service_returns_by_itself(
        cluster, redis_server, tmp_path):
    _seed(cluster.url)
    prefix = f"f{uuid.uuid4().hex[:10]}:"
    served = Served(app_environment(cluster.url, redis_server.url, prefix), tmp_path)
    try:
        def say(text: str) -> str:
            response = served.post(text_xml("o-duty", text))
            assert response.status_code == 200, response.text
            return reply_content(response.text)

        assert say("绑定 赵敏 2010010001").startswith("绑定成功")
        browser = _log_in(served)
        mini_program = _api_token(redis_server.url, prefix, cluster.url, "o-duty")
        assert served.get("/api/v1/me", headers=mini_program).status_code == 200

        cluster.stop()

        for text in ("我的", "查找 赵敏", "绑定", "活动"):
            assert say(text) == MAINTENANCE, text
        assert "可用指令" in say("帮助")  # what needs no database still answers in full
        api = served.get("/api/v1/me", headers=mini_program)
        assert api.status_code == 503
        assert api.json()["error"]["code"] == "maintenance"
        admin = browser.get(f"{served.url}/admin/", timeout=10)
        assert admin.status_code == 503 and "系统维护中" in admin.text
        assert served.get("/healthz").status_code == 503

        cluster.start()
        wait_until(lambda: served.get("/healthz").status_code == 200, 20, "healthz back to 200")

        assert "赵敏" in say("我的")
        assert served.get("/api/v1/me", headers=mini_program).json()["bound"] is True
        page = browser.get(f"{served.url}/admin/", timeout=10)
        assert page.status_code == 200 and "退出" in page.text
    finally:
        served.stop()
