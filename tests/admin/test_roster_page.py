"""The roster import page: the CLI's import from a browser upload, in the background, with its
report as a table of rejected rows (line, column, reason) and clear words for unreadable files."""

from __future__ import annotations

import io
import time

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from models import Alumnus, AuditEntry, StaffRole
from tests.admin.support import add_account, csrf_token, login, menu_offers

HEADER = "学号,姓名,毕业年份,学院,手机\n"
GOOD = ["2012001,张伟,2012,计算机学院,13800000001", "2012002,李娜,2012,化学学院,",
        "2013003,王芳,2013,计算机学院,"]
BAD = ["2012004,,2012,计算机学院,", "2012005,赵敏,1850,计算机学院,", "2012001,张伟,2012,计算机学院,"]


def roster(*rows: str) -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode()


def upload(client, content: bytes, name: str = "roster.csv", **options):
    token = csrf_token(client.get("/admin/roster/").text)
    data = {"csrf_token": token, "file": (io.BytesIO(content), name)}
    data.update({option: "y" for option, on in options.items() if on})
    return client.post("/admin/roster/", data=data, content_type="multipart/form-data")


def finished(client, answer, timeout: float = 30) -> dict:
    """Follow the upload to its job page and poll its status until the import has ended."""
    assert answer.status_code == 302, answer.text
    job_page = answer.headers["Location"]
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        state = client.get(f"{job_page}/status").get_json()
        seen.append(state["status"])
        if state["status"] != "running":
            return {**state, "page": client.get(job_page).text, "url": job_page, "seen": seen}
        time.sleep(0.05)
    raise AssertionError(f"the import did not end: {seen[-3:]}")


def count_alumni(runtime) -> int:
    with runtime.sessions() as session:
        return session.scalar(select(func.count()).select_from(Alumnus))


@pytest.fixture
def staff(app, runtime):
    add_account(runtime, "clerk", StaffRole.STAFF)
    client = app.test_client()
    assert login(client, "clerk").status_code == 302
    return client


def test_upload_with_bad_rows_imports_the_good_and_tables_the_bad(staff, runtime):
    done = finished(staff, upload(staff, roster(*GOOD, *BAD)))
    assert done["status"] == "done" and done["percent"] == 100
    assert done["report"]["inserted"] == 3 and done["report"]["rejected"] == 3
    table = done["page"].split('id="rejected-rows"', 1)[1].split("</table>", 1)[0]
    assert "<td>5</td><td class=\"nowrap\">姓名</td><td>缺少姓名</td>" in table
    assert "<td>6</td><td class=\"nowrap\">毕业年份</td><td>毕业年份 1850 不合理</td>" in table
    assert "学号 2012001 在文件中重复（第 2 行已出现）" in table
    assert count_alumni(runtime) == 3
    csv_file = staff.get(f"{done['url']}/rejected.csv")
    assert csv_file.mimetype == "text/csv"
    lines = csv_file.data.decode("utf-8-sig").splitlines()
    assert lines[0] == "行号,列,原因" and lines[1] == "5,姓名,缺少姓名" and len(lines) == 4
    with runtime.sessions() as session:
        entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "roster_imported"))
        assert entry.actor == "clerk" and entry.target == "花名册 roster.csv"
        assert "新增 3" in entry.detail and "拒绝 3" in entry.detail


def test_strict_refuses_the_whole_file_when_one_row_is_bad(staff, runtime):
    done = finished(staff, upload(staff, roster(*GOOD, BAD[0]), strict=True))
    assert done["report"]["applied"] is False and done["report"]["rejected"] == 1
    assert "严格模式：有 1 行未通过检查，未写入任何数据" in done["page"]
    assert count_alumni(runtime) == 0


def test_dry_run_reports_and_writes_nothing(staff, runtime):
    done = finished(staff, upload(staff, roster(*GOOD), dry_run=True))
    assert done["report"]["inserted"] == 3 and count_alumni(runtime) == 0
    assert "试运行" in done["page"]


def test_the_progress_endpoint_reaches_done_for_an_xlsx_and_a_gb18030_file(staff, runtime):
    sheet = Workbook()
    sheet.active.append(["学号", "姓名", "毕业年份"])
    for i in range(12_000):  # more than one batch: progress moves more than once
        sheet.active.append([f"X{i:06d}", "陈静", 2015])
    data = io.BytesIO()
    sheet.save(data)
    done = finished(staff, upload(staff, data.getvalue(), "名单.xlsx"), timeout=120)
    assert done["status"] == "done" and done["processed"] == 12_000
    assert done["report"]["inserted"] == 12_000
    gbk = finished(staff, upload(staff, roster("2020001,欧阳娜娜,2020,外国语学院,").decode()
                                 .encode("gb18030")))
    assert gbk["report"]["inserted"] == 1
    with runtime.sessions() as session:
        assert session.scalar(select(Alumnus.name).where(Alumnus.student_id == "2020001")) == "欧阳娜娜"


@pytest.mark.parametrize("content, name, says", [
    (b"%PDF-1.4 binary", "roster.pdf", "不支持「.pdf」文件：请上传 CSV（.csv）或 Excel（.xlsx）"),
    (b"", "roster.csv", "上传的文件是空的"),
    ("学号,姓名,毕业年份\n".encode() + b"\xff\x80,x,2012\n", "roster.csv", "无法识别文件编码"),
    (b"\xd0\xcf\x11\xe0old excel", "old.xls", "不支持旧版 Excel（.xls）文件"),
    ("姓名,毕业年份\n张伟,2012\n".encode(), "roster.csv", "文件缺少必需的列：学号"),
])
def test_an_unreadable_file_is_refused_on_the_form_with_what_to_fix(staff, runtime, content, name,
                                                                     says):
    answer = upload(staff, content, name)
    assert answer.status_code == 200  # the form again, not a job
    assert says in answer.text
    assert "上传并导入" in answer.text
    assert count_alumni(runtime) == 0


def test_an_upload_without_csrf_is_refused(staff, runtime):
    answer = staff.post("/admin/roster/", data={"file": (io.BytesIO(roster(*GOOD)), "r.csv")},
                        content_type="multipart/form-data")
    assert answer.status_code == 400 and count_alumni(runtime) == 0


def test_a_big_upload_passes_the_apps_one_megabyte_limit(staff, runtime):
    rows = [f"B{i:07d},张伟,2012,计算机学院,13800000000" for i in range(30_000)]
    content = roster(*rows)
    assert len(content) > 1024 * 1024
    done = finished(staff, upload(staff, content), timeout=120)
    assert done["report"]["inserted"] == 30_000


@pytest.mark.parametrize("role", [StaffRole.COLLEGE, StaffRole.LIAISON])
def test_college_and_chapter_accounts_cannot_import(app, runtime, role):
    from tests.admin.support import add_alumnus, add_chapter

    with runtime.sessions.begin() as session:
        add_chapter(session, "上海校友会")
        add_alumnus(session, college="计算机学院")
    add_account(runtime, "limited", role, college="计算机学院" if role is StaffRole.COLLEGE else None,
                chapter="上海校友会" if role is StaffRole.LIAISON else None)
    client = app.test_client()
    login(client, "limited")
    assert client.get("/admin/roster/").status_code == 403
    menu = menu_offers(client)
    assert "花名册导入" not in menu and "校友" in menu


def _fake_running_job(runtime, heartbeat: float) -> str:
    from wechat_bot.admin.roster_jobs import jobs

    store, prefix = runtime.store, f"{runtime.config.admin.key_prefix}roster:"
    store.hset(f"{prefix}fake01", mapping={
        "file": "别人的.csv", "actor": "wang", "started": heartbeat, "heartbeat": heartbeat,
        "status": "running", "total": 100, "processed": 40, "stage": "", "dry_run": 0, "strict": 0})
    store.set(f"{prefix}running", "fake01")
    return jobs(runtime).get("fake01").status


def test_one_import_at_a_time(staff, runtime):
    assert _fake_running_job(runtime, time.time()) == "running"
    answer = upload(staff, roster(*GOOD))
    assert answer.status_code == 200 and "wang 正在导入「别人的.csv」，请等它完成后再上传" in answer.text
    assert count_alumni(runtime) == 0


def test_a_job_whose_worker_died_reads_as_interrupted(staff, runtime):
    assert _fake_running_job(runtime, time.time() - 3600) == "interrupted"
    assert "这次导入在进行中被中断" in staff.get("/admin/roster/fake01").text
    assert staff.get("/admin/roster/nosuchjob").status_code == 404
