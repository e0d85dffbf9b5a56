"""The three users' first steps in a real browser: Debian's Chromium, headless, loopback only.

Scenario (issue: serve the graph): open home, search "VHTO", open one of its commitments and see
the highlighted quote; open a network view and check nodes were drawn. Throughout: no console
errors, no request leaving 127.0.0.1.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from chromium import fresh_chromium, require_chromium
from playwright.sync_api import BrowserContext, Page

NETWORK_VIEW = "/network/co-commitment?format=html"
SCREENSHOT_ENV = "PACTGRAPH_SCREENSHOT"  # set to a path to keep the network view's screenshot

require_chromium(module_level=True)


@dataclass
class Watch:
    """What the page did that a test must see: console errors and where requests went."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    hosts: set[str] = field(default_factory=set)
    failed: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser() -> Iterator[BrowserContext]:
    with fresh_chromium() as context:
        yield context


@pytest.fixture
def page(browser: BrowserContext) -> Iterator[tuple[Page, Watch]]:
    watch = Watch()
    tab = browser.new_page()
    tab.on("console", lambda m: m.type == "error" and watch.console_errors.append(m.text))
    tab.on("pageerror", lambda e: watch.page_errors.append(str(e)))
    tab.on("request", lambda r: watch.hosts.add(urlsplit(r.url).hostname or r.url))
    tab.on("requestfailed", lambda r: watch.failed.append(r.url))
    yield tab, watch
    tab.close()


def _assert_clean(watch: Watch) -> None:
    assert watch.console_errors == []
    assert watch.page_errors == []
    assert watch.failed == []
    assert watch.hosts <= {"127.0.0.1"}, f"requests left loopback: {watch.hosts}"


def test_search_vhto_open_a_commitment_and_see_its_passage(
    live_server: str, page: tuple[Page, Watch]
) -> None:
    tab, watch = page
    tab.goto(live_server + "/")
    tab.fill("#home-search", "VHTO")
    tab.press("#home-search", "Enter")
    tab.wait_for_selector('section.results[data-kind="commitment"] a')
    link = tab.locator('section.results[data-kind="commitment"] a').first
    link.click()
    tab.wait_for_url("**/trace/**")
    passage = tab.locator("mark#passage")
    passage.wait_for(state="visible")
    assert len(passage.inner_text().strip()) > 20
    # scrolled into view: the passage's box is inside the letter's visible area
    assert tab.evaluate(
        """() => {
        const mark = document.getElementById('passage').getBoundingClientRect();
        const box = (document.querySelector('pre.letter') || document.body).getBoundingClientRect();
        return mark.bottom > box.top && mark.top < Math.min(box.bottom, window.innerHeight);
    }"""
    )
    _assert_clean(watch)


def test_network_view_draws_its_nodes_offline(live_server: str, page: tuple[Page, Watch]) -> None:
    tab, watch = page
    tab.goto(live_server + NETWORK_VIEW)
    tab.wait_for_function("() => Number(document.body.dataset.nodesDrawn || 0) > 0", timeout=30_000)
    drawn = int(tab.evaluate("() => document.body.dataset.nodesDrawn"))
    assert drawn >= 10
    canvas = tab.locator("canvas").first
    assert canvas.bounding_box()["width"] > 200
    if target := os.environ.get(SCREENSHOT_ENV):
        tab.screenshot(path=target)
    _assert_clean(watch)
