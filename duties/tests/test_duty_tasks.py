"""The duty tasks against the broker's rules (issue 13, item 5): no ETA, countdown or retry delay reaches Redis's
visibility timeout (a task held that long would be delivered a second time while still waiting), and what the
scan enqueues goes to the broker only once its transaction commits — a rollback enqueues nothing."""

import datetime as dt
import re
import runpy
from pathlib import Path

import pytest
from celery.utils.time import get_exponential_backoff_interval
from django.db import transaction

from config.celery import app
from duties import registry, services, tasks
from duties.models import EmailState, Notification, NotificationSetting
from duties.registry import Due, Duty
from members.tests.factories import UserFactory
from orgs.tenancy import tenant_scope
from orgs.tests.factories import TenantFactory

ROOT = Path(__file__).resolve().parents[2]
NOW = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def redis_settings():
    """config/settings.py as production reads it: REDIS_URL set (the broker with a visibility timeout)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
        mp.delenv("SCORING_SYNC_DELAY_SECONDS", raising=False)
        return runpy.run_path(str(ROOT / "config" / "settings.py"), run_name="settings_with_redis")


def test_the_redis_configuration_has_a_visibility_timeout_and_acks_late(redis_settings):
    assert redis_settings["CELERY_BROKER_URL"].startswith("redis://")
    assert redis_settings["CELERY_BROKER_TRANSPORT_OPTIONS"]["visibility_timeout"] >= 600
    assert redis_settings["CELERY_TASK_ACKS_LATE"] is True  # a killed worker's task is redelivered, not lost


def _retry_delays(task) -> list[float]:
    """Every delay celery's autoretry waits before a retry of ``task`` (its exponential backoff, capped)."""
    if not getattr(task, "autoretry_for", ()):
        return []
    if not task.retry_backoff:
        return [task.default_retry_delay] * (task.max_retries or 1)
    factor = 1 if task.retry_backoff is True else task.retry_backoff
    assert task.max_retries is not None, f"{task.name} retries forever"
    return [get_exponential_backoff_interval(factor=factor, retries=n, maximum=task.retry_backoff_max,
                                             full_jitter=False) for n in range(task.max_retries)]


def test_every_retry_delay_of_the_duty_tasks_stays_below_the_visibility_timeout(redis_settings):
    timeout = redis_settings["CELERY_BROKER_TRANSPORT_OPTIONS"]["visibility_timeout"]
    email = app.tasks["duties.tasks.notification_email"]
    assert _retry_delays(email) == [60, 120, 240, 480, 480]  # 1, 2, 4, 8, 8 minutes
    assert email.retry_jitter is False  # jitter could only shorten them, but the figures above are the promise
    project = [t for name, t in app.tasks.items() if not name.startswith("celery.")]
    assert {t.name for t in project} >= {"duties.tasks.scan_all", "duties.tasks.scan",
                                         "duties.tasks.notification_email", "duties.tasks.emails_sweep"}
    for task in project:
        for delay in _retry_delays(task):
            assert delay < timeout, (task.name, delay, timeout)
        assert task.default_retry_delay < timeout, task.name


def test_every_countdown_in_the_code_stays_below_the_visibility_timeout(redis_settings):
    """A countdown or ETA in the apps is listed here with the setting that bounds it; a new one fails this test
    until it is added (and its bound checked)."""
    timeout = redis_settings["CELERY_BROKER_TRANSPORT_OPTIONS"]["visibility_timeout"]
    found = set()
    for path in ROOT.glob("*/**/*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in {".venv", "tests"} or "tests" in parts or "migrations" in parts:
            continue
        for line in path.read_text(encoding="utf-8").splitlines():
            for match in re.finditer(r"\b(countdown|eta)\s*=\s*([\w.]+)", line):
                found.add((str(path.relative_to(ROOT)), match.group(2)))
    assert found == {("scoring/services/ledger.py", "django_settings.SCORING_SYNC_DELAY_SECONDS")}
    assert 0 <= redis_settings["SCORING_SYNC_DELAY_SECONDS"] < timeout
    # the scan runs on beat's period, never as a long countdown: that period stays below the timeout too
    assert redis_settings["CELERY_BEAT_SCHEDULE"]["duties-scan"]["schedule"] < timeout
    assert tasks.EMAIL_STALE_AFTER.total_seconds() < timeout


@pytest.fixture
def sent(monkeypatch):
    """What reaches the broker: (task name, args) of every send, however it was sent (delay, signature, name)."""
    calls = []
    monkeypatch.setattr(app, "send_task", lambda name, args=None, kwargs=None, **options: calls.append(
        (name, tuple(args or ()))))
    return calls


@pytest.fixture
def school(db, monkeypatch):
    tenant = TenantFactory()
    with tenant_scope(tenant):
        doer = UserFactory(tenant=tenant, email="doer@example.edu.cn")
        NotificationSetting.objects.create(tenant=tenant, user=doer, email=True)

    def collect(ctx):
        yield Due(duty="test.duty", subject="thing:1", period="2026-11", due_at=NOW + dt.timedelta(hours=20),
                  responsible=frozenset({doer.pk}), url="/", text="测试事项 2026年11月")

    monkeypatch.setitem(registry.REGISTRY, "test.duty", Duty(key="test.duty", label="完成测试事项", rule="每月",
                                                             who="负责人", above="上级", collect=collect))
    with tenant_scope(tenant):
        yield tenant


def test_a_scan_that_rolls_back_sends_nothing_to_the_broker(school, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        services.duties_scan(tenant=school, now=NOW)
        assert sent == []  # not before the commit either
        raise RuntimeError("rolled back")
    assert sent == [] and not Notification.objects.exists()


def test_a_committed_scan_sends_one_email_task_per_notification_after_the_commit(
        school, sent, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        services.duties_scan(tenant=school, now=NOW)
        assert sent == []
    note = Notification.objects.get()
    assert note.email_state == EmailState.PENDING
    assert sent == [("duties.tasks.notification_email", (school.pk, note.pk))]  # ids only
    # a second scan, committed too, sends nothing more
    with django_capture_on_commit_callbacks(execute=True):
        services.duties_scan(tenant=school, now=NOW + dt.timedelta(minutes=5))
    assert len(sent) == 1


def test_scan_all_sends_one_scan_per_active_school_by_id_and_writes_nothing(school, sent):
    other = TenantFactory(is_active=False)
    assert tasks.scan_all() >= 1
    assert ("duties.tasks.scan", (school.pk,)) in sent and ("duties.tasks.scan", (other.pk,)) not in sent
    assert {name for name, _args in sent} == {"duties.tasks.scan"}
    assert not Notification.objects.exists()  # nothing written, so nothing to wait for a commit
