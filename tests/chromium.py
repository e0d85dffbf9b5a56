"""Debian's Chromium for the browser tests: where it is, how it is started, and what if it is not.

Every browser test starts it the same way: headless, no sandbox, no GPU, no background or
component-update or sync traffic, and a fresh user-data directory that is removed afterwards.
Without Chromium the tests are skipped with the command that installs it, except under
``CI=true``, where ``.ci/run`` installs it and a missing browser is a failure.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require_chromium(*, module_level: bool = False) -> None:
    """Go on only if Chromium is installed: else skip (a failure under ``CI=true``)."""
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{CHROMIUM} is missing; .ci/run installs Debian's chromium", pytrace=False)
    pytest.skip(
        f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=module_level
    )


@contextmanager
def fresh_chromium(prefix: str = "pactgraph-chromium-") -> Iterator[Any]:
    """A Playwright browser context of Chromium with a user-data directory of its own."""
    require_chromium()
    from playwright.sync_api import sync_playwright  # noqa: PLC0415 - only with a browser

    user_data = tempfile.mkdtemp(prefix=prefix)
    try:
        with sync_playwright() as playwright:
            context = playwright.chromium.launch_persistent_context(
                user_data, executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True
            )
            try:
                yield context
            finally:
                context.close()
    finally:
        shutil.rmtree(user_data, ignore_errors=True)
