"""Roster import (/admin/roster/), admin and staff: upload a CSV or XLSX, watch the progress bar,
read the summary and the rejected rows (line, column, reason), download them all as CSV.

The file is checked at once for what makes it unreadable as a whole (its type, an empty file, an
unknown encoding, a missing column: `open_roster`, the CLI's own reader), so the form can say what
to fix; then `roster_jobs` runs the CLI's import in the background and the page polls its state.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path
from urllib.parse import quote

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf.file import FileField, FileRequired
from werkzeug.exceptions import RequestEntityTooLarge
from wtforms import BooleanField, SubmitField

from handlers.directory.roster_columns import CHINESE_HEADERS
from handlers.directory.roster_file import RosterFileError, estimate_rows, open_roster
from models import StaffRole
from wechat_bot.admin.forms import AdminForm
from wechat_bot.admin.guard import roles
from wechat_bot.admin.roster_jobs import Options, jobs
from wechat_bot.runtime import current_runtime

bp = Blueprint("roster", __name__, url_prefix="/roster")
staff_only = roles(StaffRole.ADMIN, StaffRole.STAFF)

# The app takes 1 MB per request; a roster of 1,000,000 alumni is about 100 MB as CSV.
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
ACCEPTED = (".csv", ".txt", ".tsv", ".xlsx", ".xls")  # .xls: open_roster says to save as .xlsx
WRONG_TYPE = "不支持「{suffix}」文件：请上传 CSV（.csv）或 Excel（.xlsx）格式的花名册"
EMPTY_FILE = "上传的文件是空的（0 字节）：请检查是否选错了文件"
TOO_LARGE = f"文件太大：一次最多上传 {MAX_UPLOAD_BYTES // 1024 // 1024} MB，请把花名册拆成几个文件分别导入"


class RosterUploadForm(AdminForm):
    file = FileField("花名册文件", validators=[FileRequired("请选择要上传的花名册文件")],
                     description="CSV（UTF-8、带 BOM 的 UTF-8 或 GB18030/GBK 编码）或 Excel .xlsx；"
                                 "第一行为表头，学号、姓名、毕业年份为必填列，列的顺序不限")
    dry_run = BooleanField("试运行：只检查并报告，不写入数据库")
    strict = BooleanField("严格模式：有任何一行不合格，就全部不导入")
    submit = SubmitField("上传并导入")


@bp.before_app_request
def _allow_big_upload() -> None:
    # Before the admin's guard reads the form for its CSRF token, which is when the size is checked.
    if request.endpoint == "admin.roster.index" and request.method == "POST":
        request.max_content_length = MAX_UPLOAD_BYTES


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    flash(TOO_LARGE, "error")
    return redirect(url_for(".index"))


@bp.route("/", methods=["GET", "POST"])
@staff_only
def index():
    """The upload form, and the latest imports (a running one links to its progress)."""
    form = RosterUploadForm()
    running = jobs(current_runtime()).running()
    if form.validate_on_submit():
        if running is not None:
            form.form_errors.append(f"{running.actor} 正在导入「{running.file_name}」，请等它完成后再上传")
        else:
            job, problem = _start(form)
            if job is not None:
                return redirect(url_for(".job", job_id=job.id))
            form.form_errors.append(problem)
    return render_template("admin/roster.html", form=form, running=running,
                           recent=jobs(current_runtime()).recent(), headers=CHINESE_HEADERS)


def _start(form: RosterUploadForm):
    """Save the upload, check that it can be read as a roster, start the import.
    (job, None), or (None, what to fix) with the file removed."""
    upload = form.file.data
    name = Path(upload.filename or "").name or "花名册"
    suffix = Path(name).suffix.lower()
    if suffix not in ACCEPTED:
        return None, WRONG_TYPE.format(suffix=suffix or "无扩展名")
    handle, path = tempfile.mkstemp(prefix="alumni-roster-", suffix=suffix)
    with os.fdopen(handle, "wb") as stream:
        upload.save(stream)
    try:
        if os.path.getsize(path) == 0:
            raise RosterFileError(EMPTY_FILE)
        open_roster(path)  # the whole-file checks, in the CLI's words
        total = estimate_rows(path)
    except RosterFileError as exc:
        os.unlink(path)
        return None, f"无法导入「{name}」：{exc}"
    options = Options(dry_run=form.dry_run.data, strict=form.strict.data)
    job = jobs(current_runtime()).start(path, name, total, options,
                                        actor=current_user.username, ip=request.remote_addr)
    if job is None:  # another upload won the race since the form was checked
        os.unlink(path)
        return None, "另一个花名册正在导入，请等它完成后再上传"
    return job, None


def _job_or_404(job_id: str):
    job = jobs(current_runtime()).get(job_id)
    if job is None:
        abort(404)
    return job


@bp.get("/<job_id>")
@staff_only
def job(job_id: str):
    """Progress while it runs (roster.js polls `status`), then the summary and rejected rows."""
    found = _job_or_404(job_id)
    size = current_runtime().config.admin.page_size
    page = max(request.args.get("page", 1, type=int), 1)
    rejected = jobs(current_runtime()).rejected(job_id) if found.status == "done" else []
    shown = rejected[(page - 1) * size:page * size]
    return render_template("admin/roster_job.html", job=found, rejected=shown, page=page,
                           has_next=len(rejected) > page * size, listed=len(rejected))


@bp.get("/<job_id>/status")
@staff_only
def status(job_id: str):
    """The job's state as JSON, for the progress bar."""
    return jsonify(_job_or_404(job_id).as_json())


@bp.get("/<job_id>/rejected.csv")
@staff_only
def rejected_csv(job_id: str):
    """Every listed rejected row as CSV (UTF-8 with a BOM, so Excel opens it in Chinese)."""
    found = _job_or_404(job_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["行号", "列", "原因"])
    writer.writerows(jobs(current_runtime()).rejected(job_id))
    stem = Path(found.file_name).stem
    return Response("\ufeff" + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": _attachment(f"{stem}-被拒绝的行.csv")})


def _attachment(file_name: str) -> str:
    return f"attachment; filename=\"rejected.csv\"; filename*=UTF-8''{quote(file_name)}"
