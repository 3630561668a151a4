"""Browser tests run under the site's Content-Security-Policy: a page that needs an inline
script or style, or a Permissions-Policy that Chromium does not read, fails its test."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

AXE_SCRIPT = os.path.join(os.path.dirname(__file__), "vendor", "axe.min.js")

# What Chromium writes on the console when a policy refuses something or cannot be read.
POLICY_MESSAGES = ("Content Security Policy", "Permissions-Policy", "Permissions policy")


@pytest.fixture
def policy_violations() -> list[str]:
    return []


@pytest.fixture
def page(browser: Any, live_server: Any, policy_violations: list[str]) -> Iterator[Any]:
    context = browser.new_context(base_url=live_server.url, locale="fr-FR")
    page = context.new_page()

    def record(message: Any) -> None:
        if any(marker in message.text for marker in POLICY_MESSAGES):
            policy_violations.append(f"{page.url}: {message.text}")

    page.on("console", record)
    yield page
    context.close()
    assert policy_violations == []


@pytest.fixture
def accessibility_violations(page: Any) -> Any:
    """Run axe-core (WCAG 2.1 A and AA rules) on the current page; return the violations.

    axe is evaluated through the DevTools protocol: a ``<script>`` tag added to the page would
    be refused by its Content-Security-Policy, as any inline script is.
    """
    with open(AXE_SCRIPT, encoding="utf-8") as script:
        axe = script.read()

    def check() -> list[dict[str, Any]]:
        page.wait_for_load_state("load")
        page.evaluate(axe)
        result = page.evaluate(
            "async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
        )
        return [
            {"id": v["id"], "help": v["help"], "nodes": [n["html"] for n in v["nodes"][:3]]}
            for v in result["violations"]
        ]

    return check
