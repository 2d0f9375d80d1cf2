"""The time a member first opened the door's QR link travels through the login in a signed cookie of that
link's path, not in a session: an anonymous scan writes no session row, and the cookie cannot be backdated."""

import datetime as dt

from django.contrib.sessions.models import Session
from django.test import Client

from attendance import checkin
from attendance.tests.checkin_world import START, _changes, _url, clock_fixture, meeting_fixture  # noqa: F401 - the fixtures
from members.tests.school import school_fixture  # noqa: F401 - the "school" fixture


def _scan_then_log_in(client, school, meeting, clock):
    scanned = clock(START - dt.timedelta(minutes=2))
    url = _url(meeting, checkin.current_code(meeting, now=scanned))
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert Session.objects.count() == 0  # the scan wrote no session
    client.force_login(school.officer)
    clock(scanned + dt.timedelta(minutes=3))  # the code itself expired two minutes ago
    return url


def test_a_scan_before_logging_in_still_checks_in_after_the_login(client, school, meeting, clock):
    url = _scan_then_log_in(client, school, meeting, clock)
    response = client.post(url)
    assert response.status_code == 302
    assert [via for _person, via, _status in _changes(school)] == ["checkin"]
    assert response.cookies[f"checkin_{meeting.pk}"].value == ""  # spent: the cookie is deleted


def test_without_the_scan_cookie_the_old_code_has_expired(client, school, meeting, clock):
    url = _scan_then_log_in(client, school, meeting, clock)
    other = Client()
    other.force_login(school.officer)
    response = other.post(url)
    assert response.status_code == 400 and "二维码已过期" in response.content.decode()


def test_a_tampered_scan_cookie_counts_for_nothing(client, school, meeting, clock):
    url = _scan_then_log_in(client, school, meeting, clock)
    name = f"checkin_{meeting.pk}"
    code = url.rstrip("/").rsplit("/", 1)[1]
    client.cookies[name] = f"{code}:0:forged-signature"
    response = client.post(url)
    assert response.status_code == 400 and _changes(school) == []
