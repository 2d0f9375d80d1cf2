"""A session of the fixture school tomorrow evening and a frozen page clock, for the self check-in tests."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from attendance import services
from attendance.models import AttendanceChange, Audience, MeetingKind
from orgs.tenancy import tenant_scope

#: Tomorrow at 11:00 UTC (19:00 in Shanghai): inside the fixture school's current term.
START = (dt.datetime.now(dt.UTC) + dt.timedelta(days=1)).replace(hour=11, minute=0, second=0, microsecond=0)


def _meeting(school, *, start=START, hours=2):
    with tenant_scope(school.tenant):
        return services.meeting_create(
            organisation=school.org, kind=MeetingKind.PLENARY, title="全体会议", stars=3, starts_at=start,
            ends_at=start + dt.timedelta(hours=hours), audience=Audience.ORGANISATION, user=school.office,
            now=timezone.now())


@pytest.fixture(name="meeting")
def meeting_fixture(school):
    return _meeting(school)


@pytest.fixture(name="clock")
def clock_fixture(monkeypatch):
    """Freeze the pages' clock: ``clock(moment)``."""
    def set_to(moment):
        monkeypatch.setattr(timezone, "now", lambda: moment)
        return moment
    return set_to


def _url(meeting, code):
    return reverse("attendance:checkin", kwargs={"meeting_id": meeting.pk, "code": code})


def _changes(school):
    with tenant_scope(school.tenant):
        return list(AttendanceChange.objects.values_list("attendance__person_id", "via", "new_status"))
