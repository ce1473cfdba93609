"""Importing the chapters file from the admin page (/admin/chapters/import): the same reader and
the same row rules as `alumni-bot import-chapters` (handlers.chapters), the report as a table.
Mounted on the chapters blueprint (admin.chapters.import_file), so the menu's 分会 stays lit."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path

from flask import render_template

from handlers.chapters.chapters_file import chapter_rows
from handlers.chapters.columns import CHAPTER_COLUMNS
from handlers.chapters.importing import import_chapters
from handlers.directory.roster_file import RosterFileError
from models import StaffRole
from wechat_bot.admin.audit import audit
from wechat_bot.admin.chapter_forms import ImportForm
from wechat_bot.admin.db import db
from wechat_bot.admin.guard import roles

MAX_BYTES = 5 * 1024 * 1024  # a chapters file is a few hundred rows; this is far above that


@roles(StaffRole.ADMIN, StaffRole.STAFF)
def import_file():
    """Upload a CSV or XLSX; good rows go in (upserted by name), bad rows come back by line."""
    form = ImportForm()
    report, failure = None, None
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.read(MAX_BYTES + 1)
        name = Path(upload.filename or "").name or "分会表"
        if len(data) > MAX_BYTES:
            failure = "文件太大（超过 5 MB），请检查是否选错了文件"
        else:
            try:
                report = _import(data)
            except RosterFileError as exc:
                failure = str(exc)
            else:
                audit("chapters_imported", target=f"文件 {name}",
                      detail=f"新增 {report.created}，更新 {report.updated}，"
                             f"拒绝 {len(report.rejected)} 行")
                db().commit()
    return render_template("admin/chapters_import.html", form=form, report=report,
                           failure=failure, columns=CHAPTER_COLUMNS)


def _import(data: bytes):
    # The reader takes a path (openpyxl reads XLSX from one, and wants its suffix), so the upload
    # goes through a temporary file that is gone when the import is done.
    suffix = ".xlsx" if data.startswith(b"PK") else ".csv"
    with tempfile.TemporaryDirectory(prefix="alumni-chapters-") as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(data)
        return import_chapters(db(), chapter_rows(path), now=datetime.now(UTC))
