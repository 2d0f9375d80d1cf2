"""Install the beat schedule (``CELERY_BEAT_SCHEDULE`` in config/settings.py) into django-celery-beat's tables.

Idempotent: a second run changes nothing; a changed interval or crontab is updated in place; an entry removed
from the settings is disabled (never deleted, so its history stays). ``make run`` runs it; in production the
one-shot ``migrate`` service of docker-compose.yml does."""

import json

from django.conf import settings
from django.core.management.base import BaseCommand
from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask


class Command(BaseCommand):
    help = "Install or update the periodic tasks of CELERY_BEAT_SCHEDULE (idempotent)."

    def handle(self, *args, **options):
        names = set()
        for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
            names.add(name)
            schedule = entry["schedule"]
            fields = {"task": entry["task"], "args": json.dumps(list(entry.get("args", ()))), "enabled": True,
                      "interval": None, "crontab": None}
            if hasattr(schedule, "minute"):  # a crontab
                fields["crontab"], _created = CrontabSchedule.objects.get_or_create(
                    minute=_field(schedule._orig_minute), hour=_field(schedule._orig_hour),
                    day_of_week=_field(schedule._orig_day_of_week), day_of_month=_field(schedule._orig_day_of_month),
                    month_of_year=_field(schedule._orig_month_of_year), timezone=settings.TIME_ZONE)
            else:
                seconds = int(schedule.total_seconds() if hasattr(schedule, "total_seconds") else schedule)
                fields["interval"], _created = IntervalSchedule.objects.get_or_create(
                    every=seconds, period=IntervalSchedule.SECONDS)
            task, created = PeriodicTask.objects.get_or_create(name=name, defaults=fields)
            changed = [k for k, v in fields.items() if getattr(task, k) != v]
            if changed:
                for key in changed:
                    setattr(task, key, fields[key])
                task.save()
            self.stdout.write(f"{'installed' if created else 'updated' if changed else 'unchanged'}: {name}")
        stale = PeriodicTask.objects.filter(enabled=True).exclude(name__in=names).exclude(
            name__startswith="celery.")
        for task in stale:
            task.enabled = False
            task.save()
            self.stdout.write(f"disabled: {task.name}")


def _field(value) -> str:
    return str(value)
