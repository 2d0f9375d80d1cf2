"""How a Celery task finds its tenant: it takes the tenant id as its first argument and runs in its scope."""

import functools

from celery import shared_task
from django.core.management import call_command

from orgs.tenancy import tenant_scope


def tenant_task(*task_args, **task_kwargs):
    """Declare a task that runs inside ``tenant_scope(tenant_id)``; its first argument is the tenant id.

    ``@tenant_task()`` or ``@tenant_task(bind=True, ...)``: with ``bind=True`` the function receives the task
    first, then the tenant id (``def remind(self, tenant_id, ...)``). Use ``my_task.delay_on_commit(tenant.pk,
    ...)`` from services so nothing is enqueued for a rolled-back write.
    """

    def decorate(func):
        if task_kwargs.get("bind"):

            @functools.wraps(func)
            def run(task, tenant_id, *args, **kwargs):
                with tenant_scope(tenant_id):
                    return func(task, tenant_id, *args, **kwargs)

        else:

            @functools.wraps(func)
            def run(tenant_id, *args, **kwargs):
                with tenant_scope(tenant_id):
                    return func(tenant_id, *args, **kwargs)

        return shared_task(*task_args, **task_kwargs)(run)

    if len(task_args) == 1 and callable(task_args[0]) and not task_kwargs:  # bare @tenant_task
        func, task_args = task_args[0], ()
        return decorate(func)
    return decorate


@shared_task
def sessions_clear_expired():
    """Beat, daily (config/settings.py): delete expired sessions, which nothing else removes (Django's
    ``clearsessions``). Platform-wide: sessions belong to no school."""
    call_command("clearsessions")
