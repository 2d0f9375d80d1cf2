"""Expired sessions are deleted once a day by beat (orgs.tasks.sessions_clear_expired): nothing else removes them,
and anonymous visitors (a check-in link) would otherwise pile them up."""

import datetime as dt

import pytest
from celery.schedules import crontab
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from orgs.tasks import sessions_clear_expired


def test_beat_clears_expired_sessions_every_day():
    entries = [e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "orgs.tasks.sessions_clear_expired"]
    assert len(entries) == 1
    schedule = entries[0]["schedule"]
    assert isinstance(schedule, crontab) and len(schedule.hour) == 1 and len(schedule.minute) == 1
    assert schedule.day_of_week == set(range(7)) and schedule.day_of_month == set(range(1, 32))


@pytest.mark.django_db
def test_the_task_deletes_expired_sessions_and_keeps_current_ones():
    now = timezone.now()
    Session.objects.create(session_key="expired" + "x" * 25, session_data="", expire_date=now - dt.timedelta(days=1))
    Session.objects.create(session_key="current" + "x" * 25, session_data="", expire_date=now + dt.timedelta(days=1))
    sessions_clear_expired.apply()
    assert list(Session.objects.values_list("session_key", flat=True)) == ["current" + "x" * 25]
