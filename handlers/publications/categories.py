"""The library's categories, in the order the admin page and the bot list them.

The key is what `Publication.category` stores (Chinese, as staff and alumni read it); never rename
one without migrating the rows.
"""

from __future__ import annotations

NEWS = "校园新闻"
NEWSPAPER = "校报"
NEWSLETTER = "校友通讯"
HISTORY = "校史"

CATEGORIES: tuple[str, ...] = (NEWS, NEWSPAPER, NEWSLETTER, HISTORY)

# What a class coming back is sent a week before its visit: the school's own publications, one
# of each, newest first in each (campus news dates too fast for a week's notice).
REUNION_CATEGORIES: tuple[str, ...] = (NEWSPAPER, NEWSLETTER, HISTORY)
