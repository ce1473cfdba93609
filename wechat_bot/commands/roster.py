"""`alumni-bot import-roster FILE [--dry-run] [--strict]`: the roster file (SPEC 9) into the database.

The import is its own transaction boundary (`handlers.directory.roster_import`); this command
shows a progress bar on stderr while the file is read, prints the summary and the first rejected
rows, and exits 1 when --strict refused the file, 2 when the file could not be read at all.
"""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from handlers.directory import roster_import
from handlers.directory.roster_file import RosterFileError, estimate_rows
from handlers.directory.roster_report import summary_lines
from wechat_bot.runtime import current_runtime

LISTED_REJECTIONS = 50


@click.command("import-roster")
@click.argument("path", metavar="FILE", type=click.Path(exists=True, dir_okay=False))
@click.option("--dry-run", is_flag=True, help="只检查并报告，不写入数据库")
@click.option("--strict", is_flag=True, help="有任何一行不合格就全部不导入")
@with_appcontext
def import_roster(path: str, dry_run: bool, strict: bool) -> None:
    """导入花名册（CSV：UTF-8 / UTF-8 BOM / GB18030，或 XLSX），按学号新增或更新。"""
    engine = current_runtime().engine

    def stage(message: str) -> None:
        click.echo(message, err=True)

    try:
        with click.progressbar(length=estimate_rows(path), label="读取花名册", file=sys.stderr,
                               show_pos=True) as bar:  # fmt: skip
            report = roster_import.import_roster(
                engine, path, dry_run=dry_run, strict=strict, progress=bar.update, on_stage=stage
            )
    except RosterFileError as exc:
        click.echo(f"无法导入：{exc}", err=True)
        sys.exit(2)
    for line in summary_lines(report, listed=LISTED_REJECTIONS):
        click.echo(line)
    if strict and report.rejected_count:
        sys.exit(1)
