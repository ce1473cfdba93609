"""The library's categories, in the order the admin page and the bot list them.

The key is what `Publication.category` stores (Chinese, as staff and alumni read it); never rename
one without migrating the rows.
"""

from __future__ import annotations

from handlers.consent.categories import BY_LABEL

NEWS = "校园新闻"
NEWSPAPER = "校报"
NEWSLETTER = "校友通讯"
HISTORY = "校史"

CATEGORIES: tuple[str, ...] = (NEWS, NEWSPAPER, NEWSLETTER, HISTORY)

# What a class coming back is sent a week before its visit: the school's own publications, one
# of each, newest first in each (campus news dates too fast for a week's notice).
REUNION_CATEGORIES: tuple[str, ...] = (NEWSPAPER, NEWSLETTER, HISTORY)


def find(word: str) -> str | None:
    """The category a word names (校报, 校友通讯…; 校史馆 → 校史), or None."""
    word = word.strip()
    if word in CATEGORIES:
        return word
    return next((c for c in CATEGORIES if word.startswith(c)), None)


def consent_key(category: str) -> str:
    """The push category (handlers.consent.categories, opt-in) subscribers of `category` take."""
    return BY_LABEL[category].key
