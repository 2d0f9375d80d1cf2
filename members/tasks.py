"""Celery tasks of members: ids in, one service call."""

from orgs.tasks import tenant_task


@tenant_task()
def import_check(tenant_id, job_id):
    from members import services
    from members.models import ImportJob

    services.import_job_check(job=ImportJob.objects.select_related("tenant").get(pk=job_id))


@tenant_task()
def import_commit(tenant_id, job_id):
    from members import services
    from members.models import ImportJob

    services.import_job_run(job=ImportJob.objects.select_related("tenant").get(pk=job_id))
