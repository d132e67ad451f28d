"""Browser tests: Debian's Chromium driven by Playwright (sync API) against pytest-django's live server.

Chromium is mandatory in CI (``CI`` set): a missing or broken browser fails these tests there.
On a developer's machine without it they are skipped. ``playwright install`` is never used:
the browser comes from Debian's ``chromium`` package.
"""

import contextlib
import os
import threading
import time
from pathlib import Path

import pytest

from tests.initial_content import load_initial_content

# Debian's Chromium; CHROMIUM_PATH points elsewhere on a machine that has it in another place.
CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SKIP_REASON = "Chromium introuvable : tests navigateur ignorés hors CI (apt-get install chromium)"


def chromium_unavailable(reason):
    if os.environ.get("CI"):
        pytest.fail(f"Chromium est obligatoire en CI et n'a pas pu démarrer : {reason}", pytrace=False)
    pytest.skip(SKIP_REASON)


@pytest.fixture(scope="session")
def playwright(django_db_setup):
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio event loop running in this thread, and Django then
    # refuses ORM calls from it (SynchronousOnlyOperation). Django's documented way out for tests:
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    # With that loop running, asgiref treats the thread as async and Django looks its database
    # connections up in a context-local store instead of the thread-local one that pytest-django
    # set the test databases up in: new connection objects, without the serialized contents that
    # serialized_rollback restores. Keep using the very same connection objects.
    test_connections = {alias: connections[alias] for alias in connections}
    try:
        with sync_playwright() as playwright:
            for alias, connection in test_connections.items():
                connections[alias] = connection
            yield playwright
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def wait_for_live_server_requests(timeout=5.0):
    """Lets the live server's request threads finish once the browser has hung up.

    With SQLite in memory, those threads share the test's connection only while the live
    server runs: a keep-alive connection that ends after it stopped could no longer close its
    socket (ResourceWarning, an error under ``filterwarnings = error``).
    """
    deadline = time.monotonic() + timeout
    for thread in threading.enumerate():
        if thread.name.endswith("(process_request_thread)"):
            thread.join(max(0.0, deadline - time.monotonic()))


@pytest.fixture(scope="session")
def browser(playwright, live_server):
    from playwright.sync_api import Error as PlaywrightError

    if not CHROMIUM.exists():
        chromium_unavailable(f"{CHROMIUM} n'existe pas")
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    except PlaywrightError as error:
        chromium_unavailable(str(error))
    yield browser
    browser.close()
    wait_for_live_server_requests()


# Run in every page before its own content: reports each Content-Security-Policy violation
# (securitypolicyviolation event) to the test through an exposed function.
REPORT_CSP_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
    window.__reportCspViolation(
        `${event.effectiveDirective} a bloqué ${event.blockedURI || "du code en ligne"}`
        + ` (${event.sourceFile || document.location.href}:${event.lineNumber}) ${event.sample || ""}`.trim()
    );
}, true);
"""


@pytest.fixture
def csp_violations():
    """Content-Security-Policy violations reported by every page the test opened."""
    return []


@pytest.fixture(autouse=True)
def no_csp_violation(csp_violations):
    """Fails any browser test during which a page broke the Content-Security-Policy."""
    yield
    assert not csp_violations, "Violations de la Content-Security-Policy :\n" + "\n".join(csp_violations)


def is_csp_console_error(message):
    return message.type == "error" and "Content Security Policy" in message.text


@pytest.fixture
def new_context(browser, csp_violations):
    """Opens browser contexts (``new_context(viewport=…, java_script_enabled=False)``), closed after the test.

    Each of them reports the CSP violations of its pages (the event, and Chromium's console error)
    into ``csp_violations``.
    """
    from playwright.sync_api import Error as PlaywrightError

    contexts = []

    def factory(**options):
        options.setdefault("locale", "fr-FR")
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        context.expose_function("__reportCspViolation", lambda text: csp_violations.append(text))
        context.add_init_script(REPORT_CSP_VIOLATIONS)
        context.on(
            "console",
            lambda message: (
                csp_violations.append(f"console : {message.text}") if is_csp_console_error(message) else None
            ),
        )
        contexts.append((context, options.get("java_script_enabled", True)))
        return context

    yield factory
    for context, javascript in contexts:
        # Let the pages still open deliver the violation events already queued before closing them
        # (without JavaScript there is no listener, and an evaluate would never return).
        for open_page in context.pages if javascript else []:
            # A page gone or navigating has nothing left to deliver.
            with contextlib.suppress(PlaywrightError):
                open_page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 0))")
        context.close()


@pytest.fixture
def page(new_context):
    return new_context().new_page()


@pytest.fixture
def cls_content(live_server):
    """The portal's real initial content, as `make run` loads it (tests/initial_content.py)."""
    load_initial_content()


@pytest.fixture
def site_url(live_server):
    """``site_url("/actions/")`` → the same path on the live server."""

    def build(path):
        return f"{live_server.url}{path}"

    return build
