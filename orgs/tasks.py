"""How a Celery task finds its tenant: it takes the tenant id as its first argument and runs in its scope."""

import functools

from celery import shared_task

from orgs.tenancy import tenant_scope


def tenant_task(*task_args, **task_kwargs):
    """Declare a task that runs inside ``tenant_scope(tenant_id)``; its first argument is the tenant id.

    Use ``my_task.delay_on_commit(tenant.pk, ...)`` from services so nothing is enqueued for a rolled-back
    write.
    """

    def decorate(func):
        @functools.wraps(func)
        def run(tenant_id, *args, **kwargs):
            with tenant_scope(tenant_id):
                return func(tenant_id, *args, **kwargs)

        return shared_task(*task_args, **task_kwargs)(run)

    return decorate
