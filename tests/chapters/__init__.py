"""Chapters, liaisons, joining, nearest-first discovery, 我的班级 (issue 7)."""
