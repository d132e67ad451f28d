"""The Content-Security-Policy in a real browser, and the watch that every browser test keeps on it.

tests/browser/conftest.py fails any browser test during which a page reported a CSP violation;
these tests show that the policy blocks inline code and that such a violation is indeed caught.
"""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Injects an inline style and an inline script, then waits until the page has seen both refused.
INJECT_INLINE_CODE = """() => new Promise((resolve) => {
    const seen = [];
    document.addEventListener("securitypolicyviolation", (event) => {
        seen.push(event.effectiveDirective);
        if (seen.length === 2) resolve(seen.sort());
    });
    document.querySelector("main").insertAdjacentHTML(
        "beforeend", '<p id="injected" style="color: rgb(255, 0, 0)">injecté</p>'
    );
    const script = document.createElement("script");
    script.textContent = "window.injectedScriptRan = true;";
    document.body.append(script);
})"""


def test_inline_style_and_script_are_blocked_and_reported(page, site_url, csp_violations):
    response = page.goto(site_url("/contact/"))
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert csp_violations == []

    assert page.evaluate(INJECT_INLINE_CODE) == ["script-src-elem", "style-src-attr"]
    # One more round trip: the reports the page sent before it have reached the test.
    page.evaluate("() => new Promise((resolve) => setTimeout(resolve, 0))")

    # Blocked: the script did not run, the style was not applied.
    assert page.evaluate("() => window.injectedScriptRan") is None
    assert page.eval_on_selector("#injected", "(el) => getComputedStyle(el).color") != "rgb(255, 0, 0)"
    # And reported, so the test that caused them would fail.
    reported = "\n".join(csp_violations)
    assert "script-src-elem" in reported
    assert "style-src-attr" in reported
    csp_violations.clear()  # this test expects them; any other test fails on them
