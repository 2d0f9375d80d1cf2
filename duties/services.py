"""Writes of the duty engine (docs/duties.md): the scan that turns what is due into reminders and notifications,
exactly once; reading notifications; a person's email choice; sending one notification's email.

Exactly once: the scan inserts the reminders it finds owed with ``bulk_create(ignore_conflicts=True)`` against
the unique (tenant, duty, subject, period, user, kind) — a second scan, a retried or redelivered task, a second
beat or two workers insert nothing new — then *claims* the unclaimed reminders with one conditional
``UPDATE … WHERE claimed_at IS NULL`` stamped with its own token (healthchecks' ``sendalerts``), and only the
rows it claimed become notifications, in the same transaction. A reminder whose item is done by the time it is
claimed is marked skipped, never sent.
"""

import datetime as dt
import logging
import uuid
from dataclasses import dataclass

from celery import current_app
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.utils import translation
from django.utils.translation import gettext as _

from duties import engine
from duties.models import EmailState, Notification, NotificationSetting, Reminder
from duties.policies import OVERDUE_LOOKBACK_DAYS, REMIND_FIRST_DAYS, REMIND_LAST_DAYS
from duties.registry import REGISTRY, Context, Due, duties_of
from orgs.calendar import school_tz
from orgs.services import one_tenant

logger = logging.getLogger(__name__)

#: The email task, by name: duties.tasks registers it under this name (services never import tasks).
EMAIL_TASK = "duties.tasks.notification_email"
#: Reminders inserted per statement.
BATCH = 1000


@dataclass
class ScanResult:
    items: int = 0  # open items seen
    owed: int = 0  # reminders owed now (already sent ones included)
    created: int = 0  # reminders inserted by this scan
    notified: int = 0  # notifications this scan created
    skipped: int = 0  # claimed reminders whose item was done meanwhile


def scan_context(*, tenant, now: dt.datetime) -> Context:
    """The window a scan and the to-do lists look at: overdue up to the lookback policy, due within the first
    reminder's lead."""
    ctx = Context(tenant=tenant, now=now, since=now, until=now)
    lookback = ctx.policy(OVERDUE_LOOKBACK_DAYS.key)
    lead = max(ctx.policy(REMIND_FIRST_DAYS.key), ctx.policy(REMIND_LAST_DAYS.key))
    ctx.since, ctx.until = now - dt.timedelta(days=lookback), now + dt.timedelta(days=lead)
    return ctx


def due_items(ctx: Context) -> list[Due]:
    """Every item of every duty of the school's modules within the context's window."""
    return [item for duty in duties_of(ctx.tenant) for item in duty.collect(ctx)]


def _key(duty, subject, period, user_id, kind) -> tuple:
    return (duty, subject, period, user_id, kind)


@transaction.atomic
def duties_scan(*, tenant, now: dt.datetime) -> ScanResult:
    """Create the reminders owed now and notify each person once (see the module's note)."""
    ctx = scan_context(tenant=tenant, now=now)
    offsets = [ctx.policy(REMIND_FIRST_DAYS.key), ctx.policy(REMIND_LAST_DAYS.key)]
    result = ScanResult()
    owed: dict[tuple, tuple[Due, str]] = {}
    for item in due_items(ctx):
        if item.done:
            continue
        result.items += 1
        for kind, users in engine.reminders_owed(item, now, offsets):
            for user_id in users:
                owed[_key(item.duty, item.subject, item.period, user_id, kind)] = (item, kind)
    result.owed = len(owed)
    before = Reminder.objects.filter(tenant=tenant).count() if owed else 0
    Reminder.objects.bulk_create([
        Reminder(tenant=tenant, duty=duty, subject=subject, period=period, user_id=user_id, kind=kind,
                 due_at=item.due_at, created_at=now)
        for (duty, subject, period, user_id, kind), (item, _kind) in owed.items()
    ], ignore_conflicts=True, batch_size=BATCH)
    result.created = Reminder.objects.filter(tenant=tenant).count() - before if owed else 0
    # Claim every unclaimed reminder of the school — this scan's and any left by a scan that died before its
    # claim — with one conditional update; another scan's claim of the same rows finds them taken.
    token = uuid.uuid4()
    if not Reminder.objects.filter(tenant=tenant, claimed_at__isnull=True).update(claim=token, claimed_at=now):
        return result
    claimed = list(Reminder.objects.filter(tenant=tenant, claim=token).values_list(
        "pk", "duty", "subject", "period", "user_id", "kind"))
    wants_email = set(NotificationSetting.objects.filter(tenant=tenant, email=True).values_list("user_id", flat=True))
    notifications, skipped = [], []

    def notice(user_id, duty, title, body, url):
        return Notification(tenant=tenant, user_id=user_id, duty=duty, title=title, body=body, url=url,
                            created_at=now,
                            email_state=EmailState.PENDING if user_id in wants_email else EmailState.NONE)

    rolled_up: dict[tuple[int, str], list[Due]] = {}  # what is overdue below someone: one notice per duty
    for pk, duty, subject, period, user_id, kind in claimed:
        found = owed.get(_key(duty, subject, period, user_id, kind))
        if found is None:  # done (or gone) since it was owed: never sent
            skipped.append(pk)
            continue
        item, _kind = found
        if kind == "overdue_above":
            rolled_up.setdefault((user_id, duty), []).append(item)
            continue
        title, body = notification_text(item, kind, now)
        notifications.append(notice(user_id, duty, title, body, item.url))
    for (user_id, duty), items in rolled_up.items():
        items.sort(key=lambda i: i.due_at)
        title, body = notification_text(items[0], "overdue_above", now) if len(items) == 1 else \
            rollup_text(items, now)
        notifications.append(notice(user_id, duty, title, body, items[0].above_url or items[0].url))
    if skipped:
        Reminder.objects.filter(pk__in=skipped).update(skipped=True)
    Notification.objects.bulk_create(notifications, batch_size=BATCH)
    result.notified, result.skipped = len(notifications), len(skipped)
    if any(n.email_state == EmailState.PENDING for n in notifications):
        transaction.on_commit(lambda: _send_emails(tenant.pk, claimed_at=now))
    return result


def _send_emails(tenant_id: int, *, claimed_at: dt.datetime) -> None:
    """After the scan commits: one email task per pending notification of that scan (ids in)."""
    ids = Notification.objects.filter(tenant_id=tenant_id, created_at=claimed_at,
                                      email_state=EmailState.PENDING).values_list("pk", flat=True)
    for pk in ids:
        current_app.signature(EMAIL_TASK, args=(tenant_id, pk)).delay()


def _when(moment: dt.datetime) -> str:
    local = moment.astimezone(school_tz())
    return _("%(month)s月%(day)s日 %(time)s") % {"month": local.month, "day": local.day,
                                                "time": local.strftime("%H:%M")}


def notification_text(item: Due, kind: str, now: dt.datetime) -> tuple[str, str]:
    """(title, body) of a notification, in Chinese: the duty, the item's own words, the due time. Never more
    than the duty declared in ``item.text`` (no sensitive content)."""
    label = str(REGISTRY[item.duty].label)
    with translation.override(settings.LANGUAGE_CODE):
        if kind == "overdue":
            return (_("已逾期：%(label)s") % {"label": label},
                    _("%(text)s，截止时间 %(when)s 已过，请尽快处理。") % {"text": item.text,
                                                                   "when": _when(item.due_at)})
        if kind == "overdue_above":
            return (_("下属事项逾期：%(label)s") % {"label": label},
                    _("%(text)s，截止时间 %(when)s 已过，负责人尚未完成。") % {"text": item.text,
                                                                      "when": _when(item.due_at)})
        return (_("即将到期：%(label)s") % {"label": label},
                _("%(text)s，请在 %(when)s 前完成。") % {"text": item.text, "when": _when(item.due_at)})


def rollup_text(items: list[Due], now: dt.datetime) -> tuple[str, str]:
    """One notice for several items of one duty that became overdue below someone in the same scan (thirty late
    assignees of a task are one notice to the office, not thirty): the count and the earliest due time."""
    label = str(REGISTRY[items[0].duty].label)
    with translation.override(settings.LANGUAGE_CODE):
        return (_("下属事项逾期：%(label)s") % {"label": label},
                _("%(n)s 项已逾期，最早的截止时间为 %(when)s，负责人尚未完成。") % {
                    "n": len(items), "when": _when(items[0].due_at)})


# --- the notification centre ---


def notification_read(*, notification: Notification, user, now: dt.datetime) -> Notification:
    """Mark one of the user's own notifications read (someone else's is refused)."""
    if notification.user_id != user.pk:
        raise ValidationError(_("只能标记自己的通知。"))
    Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
    notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_read_all(*, user, now: dt.datetime) -> int:
    """Mark every unread notification of the user read; how many were."""
    return Notification.objects.filter(tenant_id=user.tenant_id, user=user, read_at__isnull=True).update(read_at=now)


@transaction.atomic
def notification_setting_set(*, user, email: bool) -> NotificationSetting:
    """In-app only, or in-app and email. Email needs an address on the account."""
    if email and not (user.email or "").strip():
        raise ValidationError(_("你的账号没有邮箱地址，无法接收邮件提醒。请先联系学校管理员填写邮箱。"))
    tenant_id = one_tenant(user)
    setting, _created = NotificationSetting.objects.update_or_create(tenant_id=tenant_id, user=user,
                                                                     defaults={"email": email})
    return setting


# --- email: one task per notification; at most once, retried on failure ---

#: Attempts before a notification's email is given up (its in-app notification stays).
EMAIL_ATTEMPTS = 5


def notification_email_send(*, notification_id: int, now: dt.datetime) -> str:
    """Send one notification's email if it is still pending: claim it (pending → sending, a conditional update,
    so a duplicated or redelivered task finds it taken), send, and record sent. A failure puts it back to
    pending (or failed after ``EMAIL_ATTEMPTS``) and re-raises, so the task retries. Returns the state."""
    claimed = Notification.objects.filter(pk=notification_id, email_state=EmailState.PENDING).update(
        email_state=EmailState.SENDING, email_claimed_at=now, email_attempts=F("email_attempts") + 1)
    notification = Notification.objects.select_related("user").get(pk=notification_id)
    if not claimed:
        return notification.email_state
    address = (notification.user.email or "").strip()
    if not address:
        Notification.objects.filter(pk=notification_id).update(email_state=EmailState.FAILED,
                                                               email_error=_("账号没有邮箱地址。"))
        return EmailState.FAILED
    site = settings.SITE_URL.rstrip("/")
    body = f"{notification.body}\n\n{site}{notification.url}" if notification.url and site else notification.body
    try:
        send_mail(notification.title, body, None, [address], fail_silently=False)
    except Exception as error:
        state = EmailState.FAILED if notification.email_attempts >= EMAIL_ATTEMPTS else EmailState.PENDING
        Notification.objects.filter(pk=notification_id).update(email_state=state,
                                                               email_error=type(error).__name__[:300])
        logger.warning("notification email failed (notification %s, attempt %s): %s", notification_id,
                       notification.email_attempts, type(error).__name__)
        raise
    Notification.objects.filter(pk=notification_id).update(email_state=EmailState.SENT, email_error="")
    return EmailState.SENT


def stale_emails_release(*, tenant, now: dt.datetime, after: dt.timedelta) -> int:
    """Emails left "sending" by a worker that died mid-send go back to pending for the next sweep. (At most once
    is the other choice; a duplicate email after a crash is the lesser harm than none.)"""
    return Notification.objects.filter(tenant=tenant, email_state=EmailState.SENDING,
                                       email_claimed_at__lt=now - after).update(email_state=EmailState.PENDING)
