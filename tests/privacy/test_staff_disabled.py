"""A staff account disabled with the admin page's 停用 button: it cannot log in, a session it
already holds is refused at its next request (a page, and the gate scanner's JSON post), the
scanner admits nobody under its name, and 启用 lets it log in again without reviving the sessions
it held before. Staff accounts hold no API token
(the mini-program API is for alumni; card sites use their own keys, revoked on their page)."""

from __future__ import annotations

from sqlalchemy import select

from models import AuditEntry, StaffAccount, StaffRole
from tests.admin.support import add_account, csrf_token, login


def _toggle(admin, account_id: int):
    token = csrf_token(admin.get("/admin/accounts/").text)
    return admin.post(f"/admin/accounts/{account_id}/active", data={"csrf_token": token})


def test_a_disabled_account_loses_its_open_session_its_scanner_and_its_login(app, runtime):
    add_account(runtime, "boss", StaffRole.ADMIN)
    wang_id = add_account(runtime, "wang", StaffRole.STAFF)
    admin, gate = app.test_client(), app.test_client()
    assert login(admin, "boss").status_code == 302
    assert login(gate, "wang").status_code == 302
    scanner = gate.get("/admin/reunion/scan/")
    assert scanner.status_code == 200
    token = csrf_token(scanner.text)

    assert _toggle(admin, wang_id).status_code == 302
    page = gate.get("/admin/")
    assert page.status_code == 302 and "/admin/login" in page.headers["Location"]
    scan = gate.post("/admin/reunion/scan/", data={"csrf_token": token, "station": "gate",
                                                   "code": "R1.1.AAAA"},
                     headers={"Accept": "application/json"})
    assert scan.status_code == 302 and "/admin/login" in scan.headers["Location"]
    assert "这个账号已被停用" in login(app.test_client(), "wang").text
    with runtime.sessions() as session:
        assert not session.scalars(select(AuditEntry).where(AuditEntry.actor == "wang",
                                                            AuditEntry.action == "reunion_scan")).all()
        assert session.get(StaffAccount, wang_id).active is False

    _toggle(admin, wang_id)   # 启用: the account may log in again ...
    assert login(app.test_client(), "wang").status_code == 302
    # ... but the session it held before 停用 stays ended (a lost phone's stays out).
    assert gate.get("/admin/").status_code == 302
