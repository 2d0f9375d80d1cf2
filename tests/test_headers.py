"""Security headers (Content-Security-Policy, Permissions-Policy), the templates that the policy holds to, the
idle expiry of sessions, and no session row for an anonymous check-in scan."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from attendance import checkin as codes
from members.middleware import TOUCH_SECONDS
from members.policies import SESSION_IDLE_HOURS
from members.tests.factories import UserFactory
from orgs.models import PolicyValue
from orgs.tests.factories import TenantFactory

TEMPLATES = Path(settings.BASE_DIR) / "templates"


def _csp(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.strip() for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("url", ["/login/", "/admin/login/", "/healthz", "/no-such-page/"])
def test_every_answer_carries_the_policies(client, db, url):
    response = client.get(url)
    policy = _csp(response)
    assert policy["script-src"] == "script-src 'self'" and policy["style-src"] == "style-src 'self'"
    assert policy["object-src"] == "object-src 'none'" and policy["frame-ancestors"] == "frame-ancestors 'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    features = response["Permissions-Policy"]
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()"):
        assert feature in features


def test_a_logged_in_page_carries_them_too(client, db):
    user = UserFactory()
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    assert "script-src 'self'" in response["Content-Security-Policy"] and "camera=()" in response["Permissions-Policy"]


_INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "an inline <script> (put it in static/js)"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an on…= handler attribute (listen in static/js)"),
    (re.compile(r"\sstyle\s*=", re.I), "a style attribute (use a class in static/css)"),
    (re.compile(r"<style", re.I), "a <style> block (use static/css)"),
]


def test_no_template_has_inline_script_or_style():
    """The policy allows neither (no 'unsafe-inline', no nonces): a page that had one would break in the
    browser. PDF templates are exempt: WeasyPrint renders them, no browser does."""
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        if "pdf" in path.relative_to(TEMPLATES).parts:
            continue
        text = path.read_text(encoding="utf-8")
        for pattern, what in _INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path.relative_to(TEMPLATES)}:{line}: {what}")
    assert not found, "\n".join(found)


# --- sessions end after the school's idle time ---


def _session_row(client) -> Session:
    return Session.objects.get(session_key=client.session.session_key)


def _age_hours(row) -> float:
    return (row.expire_date - timezone.now()).total_seconds() / 3600


def _log_in(client, user):
    response = client.post("/login/", {"username": user.username, "password": settings.DEMO_PASSWORD})
    assert response.status_code == 302


def test_a_session_lasts_eight_idle_hours_by_default_not_two_weeks(client, db):
    user = UserFactory()
    _log_in(client, user)
    client.get("/")
    assert 7.9 < _age_hours(_session_row(client)) <= 8
    assert SESSION_IDLE_HOURS.default == 8


def test_the_school_sets_its_idle_time_and_an_idle_session_ends(client, db):
    user = UserFactory()
    PolicyValue.objects.create(tenant=user.tenant, key=SESSION_IDLE_HOURS.key, value=2,
                               effective_from=dt.date(2020, 1, 1))
    _log_in(client, user)
    client.get("/")
    assert 1.9 < _age_hours(_session_row(client)) <= 2
    # Activity pushes the end forward (at most once a minute: one session write, not one per request).
    session = client.session
    session["_idle_seen"] -= TOUCH_SECONDS + 1
    session.save()
    Session.objects.filter(session_key=session.session_key).update(expire_date=timezone.now() + dt.timedelta(hours=1))
    client.get("/")
    assert 1.9 < _age_hours(_session_row(client)) <= 2
    # Idle past the end: logged out.
    Session.objects.filter(session_key=session.session_key).update(expire_date=timezone.now() - dt.timedelta(seconds=1))
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_request_within_the_minute_writes_no_session(client, db):
    user = UserFactory()
    _log_in(client, user)
    client.get("/")
    before = _session_row(client).expire_date
    client.get("/")
    assert _session_row(client).expire_date == before


def test_anonymous_pages_create_no_session_row(client, db):
    client.get("/login/")
    client.get("/")
    assert Session.objects.count() == 0


# --- anonymous check-in ---


@pytest.fixture
def meeting(db):
    from attendance.tests.factories import MeetingFactory

    return MeetingFactory(tenant=TenantFactory())


def test_an_anonymous_check_in_scan_creates_no_session_row(client, meeting):
    """A phone not logged in opens the door's QR link: it is sent to log in, and no session row is written
    (before, every such scan wrote one and nothing ever cleared them)."""
    now = timezone.now()
    for _ in range(5):
        code = codes.current_code(meeting, now=now)
        response = client.get(f"/attendance/checkin/{meeting.pk}/{code}/")
        assert response.status_code == 302 and response["Location"].startswith("/login/")
        client.get(response["Location"])
        client.cookies.clear()
    assert Session.objects.count() == 0
    # The time of the scan still travels: in a signed cookie of that link's path only.
    response = client.get(f"/attendance/checkin/{meeting.pk}/{code}/")
    cookie = response.cookies[f"checkin_{meeting.pk}"]
    assert cookie["path"] == f"/attendance/checkin/{meeting.pk}/" and cookie["httponly"]
    assert code in cookie.value and Session.objects.count() == 0
