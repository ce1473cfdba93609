"""Synthetic data for `alumni-bot demo`; each feature adds its own step as it lands."""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Iterator

from sqlalchemy import func, select, update

# In the demo a fifth of the alumni have chosen 公开, so that a search shows strangers too; the
# rest keep the default (同学: their own class only), as a real roster mostly would.
DEMO_PUBLIC_EVERY = 5


def seed_demo(runtime, *, alumni: int) -> Iterator[str]:
    """Fill an empty demo database; yields one line per step for the console."""
    # Events, chapters and the reunion calendar join here with their features (issues 5-7).
    yield from seed_roster(runtime, alumni)
    yield from seed_chapters(runtime)


def seed_roster(runtime, alumni: int) -> Iterator[str]:
    """A synthetic roster of `alumni` records, through the real import, if the roster is empty."""
    from handlers.directory.roster_import import import_roster
    from handlers.directory.synthetic import write_synthetic_roster
    from models import Alumnus, Privacy

    with runtime.sessions() as session:
        present = session.scalar(select(func.count()).select_from(Alumnus))
    if present:
        yield f"演示数据：花名册已有 {present} 名校友，未重新生成"
        return
    if alumni <= 0:
        yield "演示数据：未生成花名册（--alumni 0）"
        return
    started = time.perf_counter()
    handle, path = tempfile.mkstemp(prefix="alumni-demo-", suffix=".csv")
    os.close(handle)
    try:
        write_synthetic_roster(alumni, path)
        report = import_roster(runtime.engine, path)
    finally:
        os.unlink(path)
    with runtime.sessions.begin() as session:
        session.execute(
            update(Alumnus)
            .where(Alumnus.id % DEMO_PUBLIC_EVERY == 0)
            .values(privacy=Privacy.PUBLIC.value)
        )
    yield (
        f"演示数据：已生成 {report.inserted} 名虚构校友（其中约五分之一设为公开），"
        f"用时 {time.perf_counter() - started:.1f} 秒"
    )


def seed_chapters(runtime) -> Iterator[str]:
    """A dozen demo chapters with liaisons, and ambassadors for the largest classes (issue 7)."""
    from datetime import UTC, datetime

    from handlers.chapters.demo import seed_demo_chapters
    from models.chapter import Chapter

    with runtime.sessions() as session:
        present = session.scalar(select(func.count()).select_from(Chapter))
    if present:
        yield f"演示数据：已有 {present} 个校友分会，未重新生成"
        return
    with runtime.sessions.begin() as session:
        report, ambassadors = seed_demo_chapters(session, now=datetime.now(UTC))
    yield f"演示数据：已生成 {report.created} 个校友分会（含联络员）和 {ambassadors} 位班级联络人"
