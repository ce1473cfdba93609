"""Synthetic data for `alumni-bot demo`; each feature adds its own step as it lands."""

from __future__ import annotations

from collections.abc import Iterator


def seed_demo(runtime, *, alumni: int) -> Iterator[str]:
    """Fill an empty demo database; yields one line per step for the console."""
    # The roster, events, chapters and the reunion calendar join here with their features
    # (issues 4-7); until then the demo starts with an empty roster.
    yield "演示数据：暂无花名册（校友目录功能上线后自动生成虚构校友）"
