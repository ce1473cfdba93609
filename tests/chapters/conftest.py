"""Chapters, alumni and WeChat users for the chapter tests, written straight to the test database.

The helpers themselves are in support.py; tests import them from there."""

from __future__ import annotations

import pytest

from handlers.chapters.importing import import_chapters
from tests.chapters.support import NOW, WORLD, rows


@pytest.fixture
def session(runtime):
    with runtime.sessions.begin() as session:
        yield session


@pytest.fixture
def world(runtime):
    """The chapters above, committed; returns {name: id}."""
    with runtime.sessions.begin() as session:
        report = import_chapters(session, rows(*WORLD), now=NOW)
        assert not report.rejected, report.rejected
    from sqlalchemy import select

    from models.chapter import Chapter

    with runtime.sessions() as session:
        return dict(session.execute(select(Chapter.name, Chapter.id)).all())
