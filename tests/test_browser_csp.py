"""In Debian's Chromium: every HTML page the widest user of a school can open, and the admin's main pages, run
under the enforced Content-Security-Policy without a single violation (no inline script, handler or style
left anywhere, nothing the scripts add that the policy refuses).

Pages are found by walking the URL table (tests/test_tenant_isolation.py's walk, filled with the school's own
objects); the ones that answer HTML to the test client are opened in the browser.
"""

from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.url_walk import NOT_OBJECT_URLS, Cast, Unfillable, _skipped, build_path, walk

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: Recorded by the page itself: the browser fires this event for each violation, enforced or not.
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", function (e) {
  window.__csp.push(e.violatedDirective + " " + (e.blockedURI || "inline") + " " + (e.sourceFile || "") + ":" +
                    (e.lineNumber || ""));
});
"""


def _html_pages(user, cast) -> list[str]:
    client = Client()
    client.force_login(user)
    paths = ["/", "/admin/", "/admin/members/person/", "/admin/members/user/add/", "/admin/orgs/platformaccess/"]
    for route in walk():
        if route.namespace.split(":")[0] in ("admin", "i18n") or _skipped(route) or route.view in NOT_OBJECT_URLS:
            continue
        try:
            path = build_path(route, {k: cast.value(k, "b") for k in route.kwargs})
        except (Unfillable, KeyError, TypeError):
            continue
        if path not in paths:
            paths.append(path)
    found = []
    for path in paths:
        response = client.get(path)
        if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
            found.append(path)
    return found


def test_no_page_violates_the_content_security_policy(page, live_server, tenant_a, tenant_b, world_a, world_b,
                                                      b_admin):
    cast = Cast(tenant_a, tenant_b, world_a, world_b)
    paths = _html_pages(b_admin, cast)
    assert len(paths) >= 25, paths  # the walk found the school's pages
    console = []
    page.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
    page.add_init_script(LISTEN)

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名或学号").fill(b_admin.username)
    page.get_by_label("密码").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")

    violations = {}
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        assert "script-src 'self'" in response.headers["content-security-policy"], path
        page.wait_for_load_state("load")
        page.wait_for_timeout(50)  # scripts that run on load (the QR screen's first poll)
        seen = page.evaluate("window.__csp")
        if seen:
            violations[path] = seen
    csp_console = [text for text in console if "Content Security Policy" in text]
    assert not violations and not csp_console, (violations, csp_console)


def test_the_changed_pages_look_right(page, live_server, tenant_a, tenant_b, world_a, world_b, b_admin):
    """Screenshots (test-artifacts/) of the pages whose markup moved out of style and on… attributes."""
    from orgs.models import Building

    ARTIFACTS.mkdir(exist_ok=True)
    building = world_b[Building]
    client_paths = {"building": f"/buildings/{building.pk}/", "people": "/people/"}
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名或学号").fill(b_admin.username)
    page.get_by_label("密码").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        for name, path in client_paths.items():
            page.goto(f"{live_server.url}{path}")
            page.screenshot(path=ARTIFACTS / f"csp-{name}-{width}.png", full_page=True)
