"""What an import did, as numbers (ImportReport) and as the lines staff read (summary_lines)."""

from __future__ import annotations

from dataclasses import dataclass

from handlers.directory.roster_checks import RejectedRow


@dataclass
class ImportReport:
    read: int  # data rows read (blank lines not counted)
    inserted: int
    updated: int
    unchanged: int
    rejected: list[RejectedRow]  # by line; at most roster_import.MAX_LISTED_REJECTIONS
    dry_run: bool
    strict: bool
    applied: bool  # whether anything was written (False for a dry run or a strict refusal)
    omitted: int = 0  # rejected rows beyond those listed

    @property
    def rejected_count(self) -> int:
        return len(self.rejected) + self.omitted


def summary_lines(report: ImportReport, *, listed: int = 50) -> list[str]:
    """The report as staff read it (the CLI prints it; the admin page shows it)."""
    lines = [
        (
            f"读取 {report.read} 行：新增 {report.inserted}，更新 {report.updated}，"
            f"未变 {report.unchanged}，拒绝 {report.rejected_count}"
        )
    ]
    if report.dry_run:
        lines.append("试运行：以上为预计结果，数据库未作任何改动")
    elif not report.applied:
        lines.append(f"严格模式：有 {report.rejected_count} 行未通过检查，未写入任何数据")
    if report.rejected:
        lines.append("被拒绝的行：")
        lines += [f"  第 {row.line} 行：{row.reason}" for row in report.rejected[:listed]]
        rest = report.rejected_count - min(listed, len(report.rejected))
        if rest > 0:
            lines.append(f"  …另有 {rest} 行未列出")
    return lines
