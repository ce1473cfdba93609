"""`alumni-bot import-chapters FILE`: the chapters file (SPEC 9), upserted by name.

Good rows go in and bad rows are listed by line number with the reason, in one transaction: the
command is the boundary that commits. Exit status 1 when the file cannot be read or no row could be
imported while some were rejected, so a script notices.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

import click
from flask.cli import with_appcontext

from handlers.chapters.chapters_file import chapter_rows
from handlers.chapters.importing import import_chapters
from handlers.directory.roster_file import RosterFileError
from wechat_bot.runtime import current_runtime


@click.command("import-chapters")
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def import_chapters_command(path: str) -> None:
    """导入校友分会表（CSV 或 XLSX），按名称新增或更新。"""
    runtime = current_runtime()
    try:
        with runtime.sessions.begin() as session:
            report = import_chapters(session, chapter_rows(path), now=datetime.now(UTC))
    except RosterFileError as exc:
        click.echo(f"错误：{exc}", err=True)
        sys.exit(1)
    click.echo(f"导入完成：新增 {report.created} 个分会，更新 {report.updated} 个，"
               f"拒绝 {len(report.rejected)} 行。")
    for row in report.rejected:
        click.echo(f"  第 {row.line} 行：{row.reason}")
    if report.rejected and not report.imported:
        sys.exit(1)
