"""Celery tasks of members: ids in, one service call. Beat runs ``import_jobs_expire`` (config/settings.py).

The import tasks have time limits: at the soft limit the service marks the job failed with a message; at the
hard limit the worker kills the task's process (prefork pool), and the job's lease runs out. Redis's
visibility timeout (config/settings.py) is longer than the hard limit, so a running import is never
delivered twice.

Tasks import services, never the reverse: the services enqueue these tasks by the names they declare
(``services.IMPORT_CHECK_TASK``, ``services.IMPORT_COMMIT_TASK``).
"""

from celery import shared_task
from django.utils import timezone

from members import services
from members.models import ImportJob
from orgs.tasks import tenant_task

#: Seconds: a 100,000-row import takes well under a minute; these stop a runaway one.
IMPORT_SOFT_TIME_LIMIT = 15 * 60
IMPORT_TIME_LIMIT = IMPORT_SOFT_TIME_LIMIT + 60


@tenant_task(name=services.IMPORT_CHECK_TASK, soft_time_limit=IMPORT_SOFT_TIME_LIMIT, time_limit=IMPORT_TIME_LIMIT)
def import_check(tenant_id, job_id, attempt=None):
    services.import_job_check(job=ImportJob.objects.select_related("tenant").get(pk=job_id), attempt=attempt)


@tenant_task(name=services.IMPORT_COMMIT_TASK, soft_time_limit=IMPORT_SOFT_TIME_LIMIT, time_limit=IMPORT_TIME_LIMIT)
def import_commit(tenant_id, job_id, attempt=None):
    services.import_job_run(job=ImportJob.objects.select_related("tenant").get(pk=job_id), attempt=attempt)


@shared_task
def import_jobs_expire():
    """Every school's running imports whose worker is gone (lease run out) are marked failed."""
    return services.import_jobs_expire(now=timezone.now())
