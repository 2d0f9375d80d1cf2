"""Reads of the duty engine: a person's to-do (what is due from them, what is overdue below them), the
notification centre, and the school's duties table. The items are computed live from the duties' rules (the
same ``collect`` the scan uses), so the to-do never lags behind what was just done."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import QuerySet

from duties.models import Notification, NotificationSetting
from duties.registry import REGISTRY, Due, duties_of
from duties.services import due_items, scan_context


@dataclass
class DutyGroup:
    """The items of one duty in one list of the to-do (``above``: the list of what is overdue below me, whose
    items link where the people above see them)."""

    duty: object
    items: list[Due] = field(default_factory=list)
    above: bool = False

    @property
    def count(self) -> int:
        return len(self.items)

    @property
    def url(self) -> str:
        """Where to act on them: the one item's page, or the first one's when several share it."""
        if not self.items:
            return ""
        first = self.items[0]
        return first.above_url or first.url if self.above else first.url


@dataclass
class ToDo:
    overdue: list[DutyGroup]  # mine, past their due time
    due_soon: list[DutyGroup]  # mine, due within the reminder lead
    below: list[DutyGroup]  # overdue items of the people I am above

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.due_soon or self.below)


def _groups(items: list[Due], *, above: bool = False) -> list[DutyGroup]:
    grouped: dict[str, DutyGroup] = {}
    for item in sorted(items, key=lambda i: i.due_at):
        grouped.setdefault(item.duty, DutyGroup(REGISTRY[item.duty], above=above)).items.append(item)
    return list(grouped.values())


def todo_for(user, *, now: dt.datetime) -> ToDo:
    """What is due from ``user`` (overdue first, then due soon) and what is overdue below them, by duty, each
    item with its link. Computed once per request (cached on the user)."""
    cached = getattr(user, "_todo_cache", None)
    if cached is not None:
        return cached
    if not user.is_authenticated or user.tenant_id is None:
        todo = ToDo([], [], [])
    else:
        items = [i for i in due_items(scan_context(tenant=user.tenant, now=now)) if not i.done]
        mine = [i for i in items if user.pk in i.responsible]
        todo = ToDo(overdue=_groups([i for i in mine if i.due_at <= now]),
                    due_soon=_groups([i for i in mine if i.due_at > now]),
                    below=_groups([i for i in items if user.pk in i.above and user.pk not in i.responsible
                                   and i.due_at <= now], above=True))
    user._todo_cache = todo
    return todo


@dataclass
class DutyRow:
    """One duty on the school's duties page: its rule and its items now, counted per scope."""

    duty: object
    next_due: dt.datetime | None
    counts: dict[str, dict[str, int]]  # scope → {"done", "due", "overdue"}

    @property
    def totals(self) -> dict[str, int]:
        total = {"done": 0, "due": 0, "overdue": 0}
        for row in self.counts.values():
            for key, value in row.items():
                total[key] += value
        return total


def duty_table(*, tenant, now: dt.datetime) -> list[DutyRow]:
    """Every duty of the school's modules, with the next due time and done / due / overdue counts per scope."""
    ctx = scan_context(tenant=tenant, now=now)
    rows = []
    for duty in duties_of(tenant):
        counts: dict[str, dict[str, int]] = defaultdict(lambda: {"done": 0, "due": 0, "overdue": 0})
        upcoming = []
        for item in duty.collect(ctx):
            state = "done" if item.done else "overdue" if item.due_at <= now else "due"
            counts[item.scope or ""][state] += 1
            if item.due_at > now and not item.done:
                upcoming.append(item.due_at)
        rows.append(DutyRow(duty=duty, next_due=min(upcoming) if upcoming else None, counts=dict(counts)))
    return rows


def notifications_of(user) -> QuerySet[Notification]:
    """The user's notifications, newest first."""
    return Notification.objects.filter(tenant_id=user.tenant_id, user=user).order_by("-created_at", "-pk")


def unread_count(user) -> int:
    """Unread notifications of the user (the header's badge), once per request."""
    cached = getattr(user, "_unread_cache", None)
    if cached is None:
        cached = user._unread_cache = Notification.objects.filter(
            tenant_id=user.tenant_id, user=user, read_at__isnull=True).count()
    return cached


def wants_email(user) -> bool:
    return NotificationSetting.objects.filter(tenant_id=user.tenant_id, user=user, email=True).exists()
