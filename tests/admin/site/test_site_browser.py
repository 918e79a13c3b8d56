"""The built site in headless Chromium: every page loads with no console error, requests
nothing outside the site, passes axe-core at WCAG 2.2 AA, and hides its navigation in print.

Screenshots of every page are kept in test-artifacts/site/ for a human look.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.admin.site.cdp import AXE, PageVisit, chromium

ARTIFACTS = Path(__file__).resolve().parents[3] / "test-artifacts" / "site"


def _require_axe() -> None:
    assert AXE.is_file(), (
        "axe-core is not installed for the site tests: run `make site-test-deps` "
        "(npm ci in tests/admin/site/browser)."
    )


async def _visit_all(pages: list[Path]) -> list[PageVisit]:
    async with chromium() as browser:
        return [
            await browser.visit(page.as_uri(), print_check=page.name == "index.html")
            for page in pages
        ]


@pytest.mark.timeout(600)
def test_every_page_loads_clean_local_and_accessible(site: Path) -> None:
    _require_axe()
    visits = asyncio.run(_visit_all(sorted(site.rglob("*.html"))))
    assert len(visits) == 2 * (8 + 6) + 1
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    prefix = site.resolve().as_uri() + "/"
    problems = []
    for visit in visits:
        name = visit.url.removeprefix(prefix).replace("/", "_")
        (ARTIFACTS / f"{name}.png").write_bytes(visit.screenshot)
        outside = [u for u in visit.requests if not u.startswith(prefix)]
        if visit.console_errors or outside or visit.violations:
            problems.append(
                (
                    name,
                    visit.console_errors,
                    outside,
                    [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in visit.violations],
                )
            )
        assert visit.requests, "the page's own load is seen"
        assert len(visit.screenshot) > 10_000
        if visit.url.endswith("es/index.html") or visit.url.endswith("en/index.html"):
            assert visit.print_hidden_nav is True  # printed pages carry no navigation
    assert problems == []


def test_the_checks_catch_a_bad_page(tmp_path: Path) -> None:
    """The same checks on a page that breaks each rule: they must all report it."""
    _require_axe()
    bad = tmp_path / "bad.html"
    bad.write_text(
        "<!DOCTYPE html><html><head><title>x</title></head><body>"
        '<img src="https://cdn.example.invalid/logo.png">'
        "<script>console.error('boom')</script>"
        '<p style="color:#aaa;background:#fff">faint</p></body></html>',
        encoding="utf-8",
    )

    async def one() -> PageVisit:
        async with chromium() as browser:
            return await browser.visit(bad.as_uri())

    visit = asyncio.run(one())
    assert any("cdn.example.invalid" in u for u in visit.requests)
    assert visit.console_errors
    found = {v["id"] for v in visit.violations}
    assert {"image-alt", "html-has-lang", "color-contrast"} <= found
