"""The admin page in Debian's chromium (Playwright): one launch and one login for every browser test."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

CHROMIUM = shutil.which("chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")


@contextmanager
def admin_page(width: int = 1280, height: int = 900) -> Iterator[tuple]:
    """(page, errors): a Chinese-locale page, and the console errors it logs (the CSP refusing a
    script shows there)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height}, locale="zh-CN")
            errors: list[str] = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            yield page, errors
        finally:
            browser.close()


def log_in(page, url: str, username: str, password: str, path: str = "/admin/") -> None:
    """Through the login form, as staff do."""
    page.goto(f"{url}{path}")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
