"""What the date alone changes is picked up by the periodic task, idempotently."""

import datetime as dt

from django.utils import timezone

from attendance.tests.factories import TaskAssignmentFactory, TaskFactory
from members.tests.school import school_fixture  # noqa: F401 - the "school" fixture
from orgs.tenancy import tenant_scope
from scoring import services, tasks
from scoring.models import LedgerEntry


def test_a_missed_deadline_counts_once_it_has_passed(school, settings):
    now = timezone.now()
    with tenant_scope(school.tenant):
        task = TaskFactory(tenant=school.tenant, organisation=school.org, created_at=now - dt.timedelta(days=2),
                           deadline=now + dt.timedelta(hours=1))
        TaskAssignmentFactory(tenant=school.tenant, task=task, person=school.officer.person, acknowledged_at=now)
        assert services.ledger_sync_due(tenant=school.tenant, now=now) == 1
        assert not LedgerEntry.objects.exists()
        later = now + dt.timedelta(hours=2)
        services.ledger_sync_due(tenant=school.tenant, now=later)
        services.ledger_sync_due(tenant=school.tenant, now=later)  # twice: the same ledger
        entry = LedgerEntry.objects.select_related("rule").get()
        assert (entry.person_id, entry.points, entry.rule.label) == (school.officer.person_id, -3,
                                                                       "答收到但未交任务")


def test_the_beat_task_fans_out_to_schools_with_the_alliance(school, monkeypatch):
    # Record the fan-out instead of sending it: the Celery app reads its settings once, so a message sent here
    # would land in the real broker (the demo's var/celery-broker, or Redis) and reach the next worker started.
    sent = []
    monkeypatch.setattr(tasks.ledger_sync_due, "delay", sent.append)
    school.other.tenant.modules = []
    school.other.tenant.save()
    assert tasks.ledger_sync_due_all.apply().get() == 1
    assert sent == [school.tenant.pk]


def test_a_school_without_the_alliance_is_left_alone(school):
    school.tenant.modules = []
    school.tenant.save()
    with tenant_scope(school.tenant):
        assert services.ledger_sync_due(tenant=school.tenant, now=timezone.now()) == 0
