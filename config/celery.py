"""The Celery app. Tasks open their tenant's scope themselves (orgs.tasks.tenant_task)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("campusorgs")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
