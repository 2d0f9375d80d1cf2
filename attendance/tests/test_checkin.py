"""Self check-in (issue 4 item 3): the rotating code, the window, present / late / absence by the clock, once,
only oneself, and the office's QR screen. The clock is frozen by passing ``now`` to attendance/checkin.py and,
for the pages, by patching ``django.utils.timezone.now``."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from attendance import checkin, services
from attendance.models import Attendance, Status
from attendance.tests.checkin_world import START, _changes, _meeting, _url, clock_fixture, meeting_fixture  # noqa: F401 - the fixtures
from members.tests.school import school_fixture  # noqa: F401 - the "school" fixture
from orgs.tenancy import tenant_scope


def _row(school, meeting, user):
    with tenant_scope(school.tenant):
        return Attendance.objects.get(meeting=meeting, person_id=user.person_id)


# --- the code ---


def test_the_code_rotates_every_30_seconds_and_accepts_only_the_previous_window(school, meeting):
    now = START - dt.timedelta(minutes=5)
    window = checkin.window_of(now)
    code = checkin.code_for(meeting, window)
    assert len(code) == checkin.CODE_LENGTH and re.fullmatch(r"[A-Za-z0-9_-]+", code)
    assert checkin.code_for(meeting, window + 1) != code
    base = dt.datetime.fromtimestamp(window * 30, tz=dt.UTC)
    assert checkin.current_code(meeting, now=base + dt.timedelta(seconds=29)) == code
    assert checkin.current_code(meeting, now=base + dt.timedelta(seconds=30)) != code
    assert checkin.code_is_valid(meeting, code, now=base)
    assert checkin.code_is_valid(meeting, code, now=base + dt.timedelta(seconds=59))  # the previous window
    assert not checkin.code_is_valid(meeting, code, now=base + dt.timedelta(seconds=60))  # two windows old
    assert not checkin.code_is_valid(meeting, code, now=base - dt.timedelta(seconds=1))  # not yet
    for forged in ("AAAAAAAAAA", code[:-1] + ("A" if code[-1] != "A" else "B"), code[:-1], code + "x", ""):
        assert not checkin.code_is_valid(meeting, forged, now=base)


def test_the_code_is_bound_to_the_meeting(school, meeting):
    other = _meeting(school)
    now = START
    assert not checkin.code_is_valid(other, checkin.current_code(meeting, now=now), now=now)


# --- the service, with an explicit clock ---


def _check_in(school, meeting, user, now, code=None):
    with tenant_scope(school.tenant):
        row = Attendance.objects.select_related("meeting").get(meeting=meeting, person_id=user.person_id)
        return checkin.check_in(attendance=row, user=user, code=code or checkin.current_code(meeting, now=now),
                                now=now)


def test_present_before_the_start(school, meeting):
    row = _check_in(school, meeting, school.officer, START - dt.timedelta(minutes=10))
    assert (row.status, row.late_minutes) == (Status.PRESENT, None)
    assert _changes(school) == [(school.officer.person_id, "checkin", Status.PRESENT)]


def test_late_after_the_start_rounds_up(school, meeting):
    row = _check_in(school, meeting, school.officer, START + dt.timedelta(minutes=3, seconds=1))
    assert (row.status, row.late_minutes, row.late_as_absence) == (Status.LATE, 4, False)


def test_late_beyond_the_threshold_is_an_absence(school, meeting):
    row = _check_in(school, meeting, school.officer, START + dt.timedelta(minutes=25))
    assert (row.status, row.late_minutes, row.late_as_absence) == (Status.ABSENT, 25, True)


@pytest.mark.parametrize("offset", [dt.timedelta(minutes=-16), dt.timedelta(hours=2, seconds=1)])
def test_outside_the_window_is_refused(school, meeting, offset):
    with pytest.raises(ValidationError) as error:
        _check_in(school, meeting, school.officer, START + offset)
    assert error.value.code == "closed" and "不在签到时间内" in error.value.messages[0]
    assert _changes(school) == []


def test_only_oneself(school, meeting):
    now = START
    with tenant_scope(school.tenant):
        row = Attendance.objects.select_related("meeting").get(meeting=meeting, person_id=school.head.person_id)
        with pytest.raises(ValidationError) as error:
            checkin.check_in(attendance=row, user=school.officer, code=checkin.current_code(meeting, now=now),
                             now=now)
    assert error.value.code == "not_yours" and _changes(school) == []


def test_a_code_scanned_before_logging_in_stays_valid_for_a_while(school, meeting):
    scanned = START - dt.timedelta(minutes=2)
    code = checkin.current_code(meeting, now=scanned)
    now = scanned + dt.timedelta(minutes=3)
    with tenant_scope(school.tenant):
        row = Attendance.objects.select_related("meeting").get(meeting=meeting, person_id=school.officer.person_id)
        assert checkin.refusal(row, code=code, now=now)[0] == "expired"
        assert checkin.refusal(row, code=code, now=now, scanned_at=scanned) is None
        # a "scan" claimed longer ago than the grace does not help
        late = scanned + checkin.SCAN_GRACE + dt.timedelta(seconds=1)
        assert checkin.refusal(row, code=code, now=late, scanned_at=scanned)[0] == "expired"


# --- the member's page ---


def test_anonymous_is_sent_to_log_in_and_back(client, school, meeting):
    url = _url(meeting, "whatever00")
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login")) and "next=" in response["Location"]
    assert url.replace("/", "%2F") in response["Location"] or url in response["Location"]


def test_get_confirms_and_post_checks_in_once(client, school, meeting, clock):
    now = clock(START - dt.timedelta(minutes=1))
    url = _url(meeting, checkin.current_code(meeting, now=now))
    client.force_login(school.officer)
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200 and "签到：全体会议" in html and "确认签到" in html
    assert _changes(school) == []  # a GET changes nothing
    response = client.post(url, follow=True)
    html = response.content.decode()
    assert "签到成功：出席。" in html and "你已签到。" in html and "确认签到" not in html
    assert _row(school, meeting, school.officer).status == Status.PRESENT
    # a second POST (a double tap, or later) changes nothing
    clock(START + dt.timedelta(seconds=20))
    response = client.post(url)
    assert response.status_code == 200 and "你已签到" in response.content.decode()
    assert _changes(school) == [(school.officer.person_id, "checkin", Status.PRESENT)]
    # the office's history shows how the mark was made
    client.force_login(school.office)
    html = client.get(reverse("attendance:meeting_detail", kwargs={"meeting_id": meeting.pk})).content.decode()
    assert "扫码签到" in html


def test_late_by_the_clock_through_the_page(client, school, meeting, clock):
    now = clock(START + dt.timedelta(minutes=5, seconds=30))
    client.force_login(school.officer)
    response = client.post(_url(meeting, checkin.current_code(meeting, now=now)), follow=True)
    assert "签到成功：迟到 6 分钟。" in response.content.decode()
    row = _row(school, meeting, school.officer)
    assert (row.status, row.late_minutes) == (Status.LATE, 6)


def test_an_already_marked_row_is_not_changed(client, school, meeting, clock):
    now = clock(START + dt.timedelta(minutes=1))
    with tenant_scope(school.tenant):
        services.attendance_mark(meeting=meeting, marks=[{"person": school.officer.person_id, "status": "leave"}],
                                 user=school.office, now=now)
    client.force_login(school.officer)
    response = client.post(_url(meeting, checkin.current_code(meeting, now=now)))
    assert response.status_code == 200 and "你已签到：考勤已记录为“请假”。" in response.content.decode()
    assert _row(school, meeting, school.officer).status == Status.LEAVE


@pytest.mark.parametrize(("age", "valid"), [(0, True), (30, True), (60, False)])
def test_expired_codes_through_the_page(client, school, meeting, clock, age, valid):
    shown = START - dt.timedelta(minutes=1)
    code = checkin.current_code(meeting, now=shown)
    base = dt.datetime.fromtimestamp(checkin.window_of(shown) * 30, tz=dt.UTC)
    clock(base + dt.timedelta(seconds=age))
    client.force_login(school.officer)
    response = client.post(_url(meeting, code))
    if valid:
        assert response.status_code == 302 and _row(school, meeting, school.officer).status == Status.PRESENT
    else:
        assert response.status_code == 400 and "二维码已过期，请重新扫描。" in response.content.decode()
        assert _changes(school) == []


def test_a_forged_code_is_refused(client, school, meeting, clock):
    clock(START)
    client.force_login(school.officer)
    for forged in ("AAAAAAAAAA", "short", "x" * 40):
        response = client.post(_url(meeting, forged))
        assert response.status_code == 400 and "二维码已过期，请重新扫描。" in response.content.decode()
        assert "二维码已过期" in client.get(_url(meeting, forged)).content.decode()
    assert _changes(school) == []


def test_outside_the_window_through_the_page(client, school, meeting, clock):
    now = clock(START - dt.timedelta(minutes=30))
    client.force_login(school.officer)
    url = _url(meeting, checkin.current_code(meeting, now=now))
    assert "不在签到时间内" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 400
    assert "不在签到时间内（会议开始前 15 分钟至会议结束）。" in response.content.decode()
    assert _changes(school) == []


def test_a_cancelled_meeting(client, school, meeting, clock):
    now = clock(START)
    with tenant_scope(school.tenant):
        services.meeting_cancel(meeting=meeting, reason="停电", now=now)
    client.force_login(school.officer)
    response = client.post(_url(meeting, checkin.current_code(meeting, now=now)))
    assert response.status_code == 400 and "会议已取消，无需签到。" in response.content.decode()
    assert _changes(school) == []


def test_not_expected_missing_and_other_school_are_the_same_404(client, school, meeting, clock):
    now = clock(START)
    code = checkin.current_code(meeting, now=now)
    missing = _url(meeting, code).replace(f"/{meeting.pk}/", f"/{meeting.pk + 1000}/")
    client.force_login(school.admin)  # sees every meeting of the school, but is not expected at this one
    assert client.get(_url(meeting, code)).status_code == 404
    assert client.post(_url(meeting, code)).status_code == 404
    client.force_login(school.other.officer)  # another school's member
    foreign, absent = client.post(_url(meeting, code)), client.post(missing)
    assert foreign.status_code == absent.status_code == 404

    def blanked(response, path):  # as tests/test_tenant_isolation.py compares: the path and the CSRF tokens out
        text = response.content.decode().replace(path, "<path>")
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "<token>", text)

    assert blanked(foreign, _url(meeting, code)) == blanked(absent, missing)
    assert _changes(school) == []


# --- the office's QR screen ---


def test_the_qr_screen_is_the_offices(client, school, meeting):
    urls = [reverse("attendance:meeting_qr", kwargs={"meeting_id": meeting.pk}),
            reverse("attendance:meeting_qr_code", kwargs={"meeting_id": meeting.pk})]
    expected = {"office": 200, "head": 403, "admin": 403, "officer": 404, "other_admin": 404}
    for persona, status in expected.items():
        client.force_login(getattr(school, persona))
        for url in urls:
            assert client.get(url).status_code == status, (persona, url)


def test_the_qr_screen_shows_the_code_and_the_count(client, school, meeting, clock):
    now = clock(START - dt.timedelta(minutes=2))
    _check_in(school, meeting, school.officer, now)
    client.force_login(school.office)
    html = client.get(reverse("attendance:meeting_qr", kwargs={"meeting_id": meeting.pk})).content.decode()
    assert "全体会议" in html and "<svg" in html and 'id="qr-count">1<' in html and 'id="qr-expected">3<' in html
    response = client.get(reverse("attendance:meeting_qr_code", kwargs={"meeting_id": meeting.pk}))
    data = response.json()
    assert response["Cache-Control"] == "no-store"
    assert data["url"] == "http://testserver" + _url(meeting, checkin.current_code(meeting, now=now))
    assert data["svg"].startswith("<svg") and data["svg"].rstrip().endswith("</svg>")
    assert (data["count"], data["expected"], data["open"]) == (1, 3, True)
    assert 0 < data["seconds_left"] <= 30
    # 30 seconds later, a new code
    clock(now + dt.timedelta(seconds=30))
    assert client.get(reverse("attendance:meeting_qr_code", kwargs={"meeting_id": meeting.pk})).json()["url"] != \
        data["url"]


def test_the_attendance_page_links_the_qr_screen_for_the_office(client, school, meeting):
    url = reverse("attendance:meeting_detail", kwargs={"meeting_id": meeting.pk})
    qr = reverse("attendance:meeting_qr", kwargs={"meeting_id": meeting.pk})
    client.force_login(school.office)
    assert qr in client.get(url).content.decode()
    client.force_login(school.head)
    assert qr not in client.get(url).content.decode()
