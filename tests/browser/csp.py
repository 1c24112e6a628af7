"""What a page's Content-Security-Policy blocked, as the browser reports it."""

from __future__ import annotations

from playwright.sync_api import BrowserContext, Page

# An init script runs before the page's own and is not subject to its policy.
_RECORDER = """window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__violations.push(
  `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
"""


def record_violations(context: BrowserContext) -> None:
    """From now on, every page of ``context`` keeps a list of what its policy blocked."""
    context.add_init_script(_RECORDER)


def violations(page: Page) -> list[str]:
    """What the policy blocked on this page so far, once the network is quiet."""
    page.wait_for_load_state("networkidle")
    return page.evaluate("window.__violations")
