"""install_schedule (make run, the production layout, docker-compose's migrate service): the beat schedule of the
settings in django-celery-beat's tables, idempotently."""

import io

import pytest
from celery.schedules import crontab
from django.core.management import call_command
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

pytestmark = pytest.mark.django_db

SCHEDULE = {
    "duties-scan": {"task": "duties.tasks.scan_all", "schedule": 300},
    "nightly": {"task": "orgs.tasks.sessions_clear_expired", "schedule": crontab(hour=4, minute=17)},
}


def _install() -> list[str]:
    out = io.StringIO()
    call_command("install_schedule", stdout=out)
    return sorted(out.getvalue().splitlines())


def _state():
    return sorted(PeriodicTask.objects.values_list("name", "task", "enabled", "interval__every", "crontab__hour",
                                                   "crontab__minute"))


def test_the_first_run_installs_the_settings_schedule(settings):
    settings.CELERY_BEAT_SCHEDULE = SCHEDULE
    assert _install() == ["installed: duties-scan", "installed: nightly"]
    assert _state() == [("duties-scan", "duties.tasks.scan_all", True, 300, None, None),
                        ("nightly", "orgs.tasks.sessions_clear_expired", True, None, "4", "17")]
    assert PeriodicTask.objects.get(name="duties-scan").interval.period == IntervalSchedule.SECONDS


def test_the_project_schedule_installs_every_entry():
    from django.conf import settings

    call_command("install_schedule", stdout=io.StringIO())
    assert set(PeriodicTask.objects.filter(enabled=True).values_list("name", flat=True)) >= set(
        settings.CELERY_BEAT_SCHEDULE)


def test_a_second_run_changes_nothing(settings):
    settings.CELERY_BEAT_SCHEDULE = SCHEDULE
    _install()
    before = list(PeriodicTask.objects.order_by("pk").values())
    counts = (IntervalSchedule.objects.count(), CrontabSchedule.objects.count())
    assert _install() == ["unchanged: duties-scan", "unchanged: nightly"]
    assert list(PeriodicTask.objects.order_by("pk").values()) == before  # not even date_changed moved
    assert (IntervalSchedule.objects.count(), CrontabSchedule.objects.count()) == counts


def test_a_changed_interval_or_crontab_is_updated_in_place(settings):
    settings.CELERY_BEAT_SCHEDULE = SCHEDULE
    _install()
    pks = dict(PeriodicTask.objects.values_list("name", "pk"))
    settings.CELERY_BEAT_SCHEDULE = {
        "duties-scan": {"task": "duties.tasks.scan_all", "schedule": 60},
        "nightly": {"task": "orgs.tasks.sessions_clear_expired", "schedule": crontab(hour=3, minute=5)},
    }
    assert _install() == ["updated: duties-scan", "updated: nightly"]
    assert _state() == [("duties-scan", "duties.tasks.scan_all", True, 60, None, None),
                        ("nightly", "orgs.tasks.sessions_clear_expired", True, None, "3", "5")]
    assert dict(PeriodicTask.objects.values_list("name", "pk")) == pks  # the same rows: their history stays


def test_a_removed_entry_is_disabled_not_deleted_and_comes_back_when_restored(settings):
    settings.CELERY_BEAT_SCHEDULE = SCHEDULE
    _install()
    PeriodicTask.objects.filter(name="nightly").update(total_run_count=7)
    settings.CELERY_BEAT_SCHEDULE = {"duties-scan": SCHEDULE["duties-scan"]}
    assert _install() == ["disabled: nightly", "unchanged: duties-scan"]
    nightly = PeriodicTask.objects.get(name="nightly")
    assert not nightly.enabled and nightly.total_run_count == 7
    assert _install() == ["unchanged: duties-scan"]  # a disabled entry stays disabled, quietly
    settings.CELERY_BEAT_SCHEDULE = SCHEDULE
    assert _install() == ["unchanged: duties-scan", "updated: nightly"]
    assert PeriodicTask.objects.get(name="nightly").enabled


def test_celerys_own_entries_are_left_alone(settings):
    settings.CELERY_BEAT_SCHEDULE = SCHEDULE
    interval = IntervalSchedule.objects.create(every=3600, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(name="celery.backend_cleanup", task="celery.backend_cleanup", interval=interval)
    _install()
    assert PeriodicTask.objects.get(name="celery.backend_cleanup").enabled
