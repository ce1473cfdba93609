"""The OpenAPI document and docs page, and the one error shape for whatever goes wrong."""

from __future__ import annotations

import logging
import re

import pytest

from wechat_bot.api import bp

OPERATIONS = {("post", "/api/v1/auth/login"), ("post", "/api/v1/auth/logout"), ("get", "/api/v1/me"),
              ("patch", "/api/v1/me"), ("post", "/api/v1/me/binding"), ("delete", "/api/v1/me/binding"),
              ("get", "/api/v1/alumni"), ("post", "/api/v1/me/subscriptions")}


def test_the_openapi_document_is_3_1_and_lists_every_operation(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    found = {(method, path) for path, item in doc["paths"].items() for method in item}
    assert found >= OPERATIONS  # later features add theirs
    assert all(path.startswith("/api/v1/") for _, path in found)  # not the webhook, sandbox, admin
    assert not doc["paths"]["/api/v1/auth/login"]["post"].get("security") and not doc["security"]
    assert doc["paths"]["/api/v1/me"]["get"]["security"] == [{"bearer": []}]
    assert doc["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    error = doc["components"]["schemas"]["ErrorOut"]
    assert error["required"] == ["error"]


def test_every_refusal_is_documented_with_the_error_shape(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    for path, item in doc["paths"].items():
        for method, op in item.items():
            statuses = set(op["responses"])
            assert "422" in statuses, (method, path)
            if op.get("security"):
                assert "401" in statuses, (method, path)
            for status, answer in op["responses"].items():
                if status.startswith("4"):
                    ref = answer["content"]["application/json"]["schema"]["$ref"]
                    assert ref.endswith("/ErrorOut"), (method, path, status)


def test_the_docs_page_needs_no_internet(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "POST" in html and "/api/v1/me/binding" in html and "需要登录" in html
    assert "http://" not in html and "https://" not in html and "<script" not in html


def test_the_docs_page_speaks_chinese_and_shows_code_as_code(client):
    html = client.get("/api/v1/docs").get_data(as_text=True)
    body = html[html.index("<body>"):]
    text = re.sub(r"<[^>]+>", " ", body)
    assert "`" not in text  # Markdown code spans are rendered, not shown
    assert "<code>no_match</code>" in body and "<code>session_key</code>" in body
    doc = client.get("/api/v1/openapi.json").get_json()
    for path, item in doc["paths"].items():
        for method, op in item.items():
            assert re.search(r"[\u4e00-\u9fff]", op["summary"]), (method, path, op["summary"])
            prose = re.sub(r"`[^`]*`", "", op.get("description", ""))
            assert not re.search(r"\b[a-z]+ [a-z]+ [a-z]+\b", prose), (method, path, prose)


@pytest.mark.parametrize(("method", "path", "status", "code"), [
    ("GET", "/api/v1/nothing-here", 404, "not_found"),
    ("GET", "/api/v1", 404, "not_found"),
    ("PUT", "/api/v1/me", 405, "method_not_allowed"),
    ("GET", "/api/v1/me/binding", 405, "method_not_allowed"),
])
def test_unknown_paths_and_methods_answer_in_the_api_shape(client, method, path, status, code):
    answer = client.open(path, method=method)
    assert answer.status_code == status
    assert answer.get_json() == {"error": {"code": code, "message": answer.get_json()["error"]["message"]}}
    if status == 405:
        assert "GET" in answer.headers["Allow"] or "DELETE" in answer.headers["Allow"]


def test_other_doors_keep_their_own_404(client):
    answer = client.get("/no-such-page")
    assert answer.status_code == 404 and not (answer.is_json and "error" in answer.get_json())


def test_an_oversized_body_is_413(client):
    answer = client.post("/api/v1/auth/login", data=b"{" + b" " * (2 * 1024 * 1024) + b"}",
                         content_type="application/json")
    assert answer.status_code == 413 and answer.get_json()["error"]["code"] == "payload_too_large"


def test_a_non_json_body_is_415_and_broken_json_400(client):
    assert client.post("/api/v1/auth/login", data="code=abc").status_code == 415
    broken = client.post("/api/v1/auth/login", data="{", content_type="application/json")
    assert broken.status_code == 400 and broken.get_json()["error"]["code"] == "invalid_json"
    not_object = client.post("/api/v1/auth/login", json=["abc"])
    assert not_object.status_code == 422


def test_validation_messages_are_chinese_and_name_the_field(client):
    answer = client.post("/api/v1/auth/login", json={"code": "x" * 200})
    assert answer.status_code == 422
    assert answer.get_json()["error"] == {"code": "validation_failed",
                                          "message": "参数 code 太长了（最多 128 个字符）。"}


def test_an_unexpected_failure_is_logged_and_answered_politely(make_app, caplog, monkeypatch):
    from wechat_bot.api import auth

    def explode(code):
        raise RuntimeError("secret internals: password=hunter2")

    monkeypatch.setattr(auth, "_exchange", explode)
    client = make_app().test_client()
    with caplog.at_level(logging.ERROR):
        answer = client.post("/api/v1/auth/login", json={"code": "abc"})
    assert answer.status_code == 500
    assert answer.get_json() == {"error": {"code": "internal_error", "message": "服务暂时出了点问题，请稍后再试。"}}
    assert "hunter2" not in answer.get_data(as_text=True)
    # logged with its traceback, and the password in it masked there too
    assert any("RuntimeError: secret internals: password=***" in (r.exc_text or "")
               for r in caplog.records)
    assert "hunter2" not in caplog.text


def test_the_blueprint_is_mounted_once_per_app(make_app):
    first, second = make_app(), make_app()  # tests and workers build many apps from one blueprint
    assert first.blueprints["api"] is bp and second.blueprints["api"] is bp
