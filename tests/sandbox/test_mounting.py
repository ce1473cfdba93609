"""The sandbox exists only when `[sandbox] enabled`: otherwise /sandbox is 404, nothing mounted."""

from wechat_bot import create_app


def test_sandbox_is_404_and_unmounted_when_not_enabled(config):
    assert config.sandbox.enabled is False
    app = create_app(config)
    try:
        client = app.test_client()
        for path in (
            "/sandbox/",
            "/sandbox/miniprogram",
            "/sandbox/api/cgi-bin/token",
            "/sandbox/api/_faults",
            "/sandbox/_/state",
        ):
            assert client.get(path).status_code == 404, path
        assert "sandbox" not in app.extensions
        assert not any(name.startswith("sandbox") for name in app.blueprints)
    finally:
        app.extensions["alumni_bot"].close()


def test_enabled_sandbox_serves_the_chat_page_api_and_static_files(api):
    client = api.client
    page = client.get("/sandbox/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "发消息" in html and api.config.app.account_name in html
    assert client.get("/sandbox/static/chat.js").status_code == 200
    assert client.get("/sandbox/miniprogram").status_code == 200
    assert client.get("/sandbox").status_code in (301, 308)  # to /sandbox/
    state = client.get("/sandbox/_/state").get_json()
    assert [b["name"] for b in state["menu"]["button"]] == ["校友", "返校活动", "分会"]
    assert state["menu_source"] == "menus/"
    assert len(state["people"]) == 3 and all(p["openid"].startswith("o") for p in state["people"])


def test_page_endpoints_take_only_json_posts(api):
    # A cross-site form cannot post JSON, so the relay cannot be triggered from another site.
    openid = api.sandbox.people.all()[0].openid
    response = api.client.post("/sandbox/_/send", data={"openid": openid, "action": "subscribe"})
    assert response.status_code == 415
