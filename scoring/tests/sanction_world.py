"""Lates that earn the fixture school's officer a proposed sanction, and the sanction pages' URLs."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from attendance import services as attendance
from attendance.models import Audience, MeetingKind
from orgs.tenancy import tenant_scope
from scoring import services


def _lates(school, person, n):
    now = timezone.now()
    meetings = []
    with tenant_scope(school.tenant):
        for i in range(n):
            start = now - dt.timedelta(days=n - i, hours=2)
            meeting = attendance.meeting_create(
                organisation=school.org, kind=MeetingKind.PLENARY, title=f"全体会议{i}", stars=3, starts_at=start,
                ends_at=start + dt.timedelta(hours=1), audience=Audience.ORGANISATION, user=school.office,
                now=timezone.now())
            attendance.attendance_mark(meeting=meeting, marks=[{"person": person.pk, "status": "late",
                                                                "late_minutes": 5}], user=school.office, now=now)
            meetings.append(meeting)
        services.ledger_sync_pending(tenant=school.tenant, now=now)  # the sync task's work, after the commits
    return meetings


def _url(school, name=None, **kwargs):
    kwargs["organisation_id"] = school.org.pk
    if name:
        kwargs["sanction_id"] = school.sanction.pk
    return reverse(f"scoring:{name or 'sanction_list'}", kwargs=kwargs)
