"""The new-meeting form: the start it proposes, the end after the start, and the fields of an audience the
meeting does not have ignored (the page hides them; tests/test_browser_meeting_form.py shows it)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from attendance.forms import MeetingForm, default_start
from members.tests.school import school_fixture  # noqa: F401 - the "school" fixture
from orgs.tenancy import tenant_scope

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _at(day, hour, minute=0):
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)


@pytest.mark.parametrize(("now", "proposed"), [
    (_at(7, 8, 0), _at(7, 19, 0)),      # the morning: tonight's meeting
    (_at(7, 18, 59), _at(7, 19, 0)),
    (_at(7, 19, 0), _at(7, 19, 0)),     # under way: the half-hour that has begun
    (_at(7, 19, 10), _at(7, 19, 0)),
    (_at(7, 19, 40), _at(7, 19, 30)),
    (_at(7, 21, 59), _at(7, 21, 30)),
    (_at(7, 22, 0), _at(8, 19, 0)),     # too late for tonight: tomorrow evening
    (_at(7, 23, 59), _at(8, 19, 0)),
    (_at(7, 0, 30), _at(7, 19, 0)),     # after midnight it is a new day
])
def test_the_proposed_start_is_today_as_an_office_user_means_it(now, proposed):
    assert default_start(now) == proposed


def test_the_proposed_start_is_in_shanghai_whatever_the_clock_of_the_server():
    # 17:30 UTC is 01:30 the next morning in Shanghai: that day's evening, not the UTC day's
    now = dt.datetime(2026, 12, 7, 17, 30, tzinfo=dt.UTC)
    assert default_start(now) == _at(8, 19, 0)


def test_the_form_proposes_the_start_and_an_hour_long_meeting(client, school):
    client.force_login(school.office)
    html = client.get(reverse("attendance:meeting_create")).content.decode()
    start = default_start()
    assert f'value="{start:%Y-%m-%dT%H:%M}"' in html
    assert f'value="{start + dt.timedelta(hours=1):%Y-%m-%dT%H:%M}"' in html
    assert 'data-follows="starts_at"' in html and "js/forms.js" in html
    assert 'data-show-when="audience=chosen"' in html


def _form(school, **extra):
    start = timezone.localtime() + dt.timedelta(days=1)
    data = {"organisation": school.org.pk, "kind": "plenary", "title": "全体会议", "stars": 3,
            "starts_at": start.strftime("%Y-%m-%dT19:00"), "ends_at": start.strftime("%Y-%m-%dT20:00"),
            "place": "学活 201", "audience": "organisation"}
    return {**data, **extra}


def test_an_end_not_after_the_start_is_refused_on_the_end_field(school):
    with tenant_scope(school.tenant):
        for end in ("19:00", "18:30"):
            data = _form(school)
            form = MeetingForm(_form(school, ends_at=data["starts_at"][:11] + end), user=school.office)
            assert not form.is_valid()
            assert form.errors["ends_at"] == ["结束时间必须晚于开始时间。"]


def test_the_fields_of_another_audience_are_ignored(client, school):
    """A department, chosen people and "weekly" left in fields the page hid do not reach the meeting."""
    client.force_login(school.office)
    response = client.post(reverse("attendance:meeting_create"), _form(
        school, department=school.dept.pk, chosen=[school.student_x.pk], weekly="on"))
    assert response.status_code == 302
    with tenant_scope(school.tenant):
        meeting = school.org.meetings.get()
        assert meeting.department is None and meeting.series is None
        members = set(school.org.memberships.values_list("person_id", flat=True))
        assert set(meeting.attendances.values_list("person_id", flat=True)) == members


def test_a_department_meeting_keeps_its_department_whatever_the_audience(client, school):
    client.force_login(school.office)
    response = client.post(reverse("attendance:meeting_create"), _form(
        school, kind="department", audience="chosen", department=school.dept.pk, chosen=[school.student_x.pk]))
    assert response.status_code == 302
    with tenant_scope(school.tenant):
        meeting = school.org.meetings.get()
        assert meeting.department == school.dept
        assert list(meeting.attendances.values_list("person_id", flat=True)) == [school.student_x.pk]
