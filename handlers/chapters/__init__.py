"""Chapters (校友分会): discovery, joining, liaisons, class ambassadors (issue 7)."""
