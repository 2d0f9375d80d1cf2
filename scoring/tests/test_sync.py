"""When the ledger is synced (docs/scoring.md): a mark save counts a change of its term and, after its commit,
sends one sync task unless one is already waiting; the task syncs only what no sync has seen; nothing is lost
when a task is lost, the broker is down or a save rolls back. The threaded burst is in
tests/test_concurrent_marks.py."""

import datetime as dt
from unittest import mock

import pytest
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from attendance import services as attendance
from attendance.models import Audience, MeetingKind
from members.tests.school import school_fixture  # noqa: F401 - the "school" fixture
from orgs.tenancy import tenant_scope
from orgs.tests.factories import TermFactory
from scoring import services, tasks
from scoring.models import LedgerEntry, MemberScore, TermSync
from scoring.tests.ledger_checks import _from_scratch, _stored


@pytest.fixture
def plenary(school):
    now = timezone.now()
    with tenant_scope(school.tenant):
        start = now - dt.timedelta(hours=2)
        school.meeting = attendance.meeting_create(
            organisation=school.org, kind=MeetingKind.PLENARY, title="全体会议", stars=3, starts_at=start,
            ends_at=start + dt.timedelta(hours=1), audience=Audience.ORGANISATION, user=school.office,
            now=timezone.now())
        services.ledger_sync_pending(tenant=school.tenant, now=now)  # the meeting's own change: seen
        assert TermSync.objects.filter(requested=1, synced=1).exists()
    return school


def _mark(s, status, **extra):
    attendance.attendance_mark(meeting=s.meeting, marks=[{"person": s.officer.person_id, "status": status, **extra}],
                               user=s.office, now=timezone.now())


@pytest.fixture
def sent():
    """The sync tasks sent (recorded, not run)."""
    with mock.patch.object(tasks.ledger_sync_requested, "apply_async") as send:
        yield send


def test_a_burst_of_saves_sends_one_task_and_the_task_sees_them_all(plenary, sent,
                                                                    django_capture_on_commit_callbacks):
    s = plenary
    with tenant_scope(s.tenant):
        for status in ("late", "absent", "leave"):
            with django_capture_on_commit_callbacks(execute=True):
                _mark(s, status, **({"late_minutes": 5} if status == "late" else {}))
        assert sent.call_count == 1  # the first save's task is still waiting: the others add to it
        assert sent.call_args.args[0] == (s.tenant.pk, s.org.pk, s.term.pk)  # the task's arguments
        assert sent.call_args.kwargs == {"countdown": 2}  # SCORING_SYNC_DELAY_SECONDS: a burst makes one sync
        state = TermSync.objects.get()
        assert (state.requested, state.synced) == (4, 1) and state.queued_at is not None
        assert not LedgerEntry.objects.exists()  # nothing synced inside a save

        assert services.ledger_sync_requested(organisation=s.org, term=s.term, now=timezone.now())
        state.refresh_from_db()
        assert (state.requested, state.synced, state.queued_at) == (4, 4, None)
        # what the last mark (leave at a plenary: -2) counts, and nothing of the late and absence it corrected
        assert list(LedgerEntry.objects.values_list("points", flat=True)) == [-2]
        assert _stored(s.org, s.term) == _from_scratch(s.org, s.term, timezone.now())
        # a second run finds nothing to do; a new save sends a new task
        assert not services.ledger_sync_requested(organisation=s.org, term=s.term, now=timezone.now())
        with django_capture_on_commit_callbacks(execute=True):
            _mark(s, "absent")
        assert sent.call_count == 2


def test_the_task_stores_the_ledger_and_the_members_totals(plenary, django_capture_on_commit_callbacks):
    from config.celery import app

    s = plenary
    app.conf.task_always_eager = True
    try:
        with tenant_scope(s.tenant), django_capture_on_commit_callbacks(execute=True):
            _mark(s, "absent")
    finally:
        app.conf.task_always_eager = False
    with tenant_scope(s.tenant):
        entry = LedgerEntry.objects.get(person=s.officer.person)
        score = MemberScore.objects.get(person=s.officer.person)
        assert (score.points, score.entries, score.absences) == (entry.points, 1, 1)
        state = TermSync.objects.get()
        assert state.synced == state.requested == 2


def test_a_rolled_back_save_counts_nothing_and_sends_nothing(plenary, sent, django_capture_on_commit_callbacks):
    s = plenary
    with tenant_scope(s.tenant):
        with (django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError),
              transaction.atomic()):
            _mark(s, "absent")
            raise RuntimeError("the request failed after the save")
        assert TermSync.objects.get().requested == 1 and sent.call_count == 0


def test_with_the_broker_down_the_save_stands_and_the_next_save_tries_again(plenary, sent,
                                                                          django_capture_on_commit_callbacks):
    s = plenary
    sent.side_effect = ConnectionError("Redis is down")
    with tenant_scope(s.tenant):
        with django_capture_on_commit_callbacks(execute=True):
            _mark(s, "absent")  # robust: the failure is logged, the save is committed
        state = TermSync.objects.get()
        assert state.requested == 2 and state.queued_at is None  # not taken as queued
        sent.side_effect = None
        with django_capture_on_commit_callbacks(execute=True):
            _mark(s, "leave")
        assert sent.call_count == 2


def test_a_task_lost_on_the_way_is_sent_again_and_the_sweep_syncs_meanwhile(plenary, sent,
                                                                           django_capture_on_commit_callbacks):
    s = plenary
    with tenant_scope(s.tenant):
        with django_capture_on_commit_callbacks(execute=True):
            _mark(s, "absent")
        TermSync.objects.update(queued_at=timezone.now() - services.SYNC_REQUEUE_AFTER - dt.timedelta(seconds=1))
        with django_capture_on_commit_callbacks(execute=True):
            _mark(s, "early_leave")
        assert sent.call_count == 2  # the first one never started: taken as lost
        # a past term's change whose task was lost is synced by the beat's sweep
        past = TermFactory(tenant=s.tenant, start=s.term.start - dt.timedelta(days=200),
                           end=s.term.start - dt.timedelta(days=100))
        TermSync.objects.create(tenant=s.tenant, organisation=s.org, term=past, requested=1)
        assert services.ledger_sync_due(tenant=s.tenant, now=timezone.now()) == 2  # the running term and it
        assert not TermSync.objects.filter(synced__lt=F("requested")).exists()
