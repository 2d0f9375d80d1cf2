"""Celery tasks of the duty engine: ids in, one service call. Beat runs ``scan_all`` every few minutes
(``DUTIES_SCAN_SECONDS``) and ``emails_sweep`` as a safety net (config/settings.py; ``install_schedule``)."""

import datetime as dt

from celery import shared_task
from django.utils import timezone
from django_scopes import scopes_disabled

from duties import services
from duties.models import EmailState, Notification
from orgs.models import Tenant
from orgs.tasks import tenant_task
from orgs.tenancy import tenant_scope

#: Email retries: 1, 2, 4, 8 minutes — every one far below the broker's visibility timeout (1 hour), so a retry
#: is never confused with a lost task (tests/test_duty_tasks.py asserts it).
EMAIL_RETRY_BACKOFF = 60
EMAIL_RETRY_BACKOFF_MAX = 8 * 60
#: An email "sending" for longer than this was left by a dead worker: the sweep puts it back to pending.
EMAIL_STALE_AFTER = dt.timedelta(minutes=15)


@shared_task
def scan_all():
    """Fan out: one scan per active school (a slow school does not hold up the others)."""
    with scopes_disabled():
        ids = list(Tenant.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
    for tenant_id in ids:
        scan.delay(tenant_id)
    return len(ids)


@tenant_task()
def scan(tenant_id):
    """Create the reminders owed now in one school and notify each person once (``services.duties_scan``)."""
    result = services.duties_scan(tenant=Tenant.objects.get(pk=tenant_id), now=timezone.now())
    return {"items": result.items, "created": result.created, "notified": result.notified}


@tenant_task(bind=True, autoretry_for=(Exception,), retry_backoff=EMAIL_RETRY_BACKOFF,
             retry_backoff_max=EMAIL_RETRY_BACKOFF_MAX, retry_jitter=False, max_retries=services.EMAIL_ATTEMPTS)
def notification_email(self, tenant_id, notification_id):
    """Send one notification's email once (``services.notification_email_send``); a failure retries."""
    return services.notification_email_send(notification_id=notification_id, now=timezone.now())


@shared_task
def emails_sweep():
    """Emails left behind — a worker died mid-send, or a task was lost — are sent again (pending ones get a task)."""
    now = timezone.now()
    with scopes_disabled():
        tenants = list(Tenant.objects.filter(is_active=True))
    for tenant in tenants:
        with tenant_scope(tenant):
            services.stale_emails_release(tenant=tenant, now=now, after=EMAIL_STALE_AFTER)
            for pk in Notification.objects.filter(tenant=tenant, email_state=EmailState.PENDING,
                                                  created_at__lt=now - EMAIL_STALE_AFTER).values_list("pk", flat=True):
                notification_email.delay(tenant.pk, pk)
    return len(tenants)
