"""A session of the fixture school, the marks endpoint and what it stored, for the attendance page tests."""

import datetime as dt
import json

from django.urls import reverse
from django.utils import timezone

from attendance import services
from attendance.models import Attendance, AttendanceChange, Audience, MeetingKind
from orgs.tenancy import tenant_scope


def _meeting(school, *, starts_in=dt.timedelta(hours=-1), org=None, **extra):
    start = timezone.now() + starts_in
    with tenant_scope(school.tenant):
        return services.meeting_create(
            organisation=org or school.org, kind=MeetingKind.PLENARY, title="全体会议", stars=3, starts_at=start,
            ends_at=start + dt.timedelta(hours=2), audience=Audience.ORGANISATION, user=school.office,
            now=timezone.now(), **extra,
        )


def _post_marks(client, meeting, marks):
    return client.post(reverse("attendance:meeting_marks", kwargs={"meeting_id": meeting.pk}),
                       data=json.dumps({"marks": marks}), content_type="application/json")


def _rows(school, meeting):
    with tenant_scope(school.tenant):
        return {a.person_id: a for a in Attendance.objects.filter(meeting=meeting)}


def _changes(school):
    with tenant_scope(school.tenant):
        return AttendanceChange.objects.count()
