"""The duty registry (SPEC DS-1; docs/duties.md): each app declares its duties in its own ``duties.py`` with
``register(Duty(...))``, found by ``discover()`` at start-up like ``benchmarks.py`` and ``demo_data.py``. The
engine (period arithmetic, the scan, reminder rows, notifications) is this app's; no app writes a reminder loop.

A duty is a rule; its ``collect`` turns the rule into the items of one school that are open or recently due —
``Due`` values, each naming who must do it, by when, who is above them, where it is done — in a fixed number of
queries whatever the size of the school (it reads in bulk and resolves role holders through ``ctx.holders``).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property

from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import autodiscover_modules

from members.models import RoleAssignment
from orgs.calendar import local_date
from orgs.selectors import policy_values


@dataclass(frozen=True)
class Due:
    """One item of a duty: ``subject`` and ``period`` identify it (ids and dates only — never a name, since they
    are stored in the reminder rows), ``due_at`` is when it is due, ``responsible`` and ``above`` are user ids;
    ``url`` is where the responsible people act, ``above_url`` where the people above see it (the office sees a
    late task on the task's page, the assignee on their own).
    ``text`` names the item for its people (the organisation, the month, the task's title…) and must not carry
    sensitive content: a notification shows it."""

    duty: str
    subject: str
    period: str
    due_at: dt.datetime
    responsible: frozenset[int]
    above: frozenset[int] = frozenset()
    url: str = ""
    above_url: str = ""  # where the people above see it, when that is another page (empty: ``url``)
    text: str = ""
    scope: str = ""  # what the duties page counts it under (an organisation's name, a college's…)
    done: bool = False


@dataclass(frozen=True)
class Duty:
    """A recurring or one-off duty of an app.

    ``collect(ctx)`` yields the ``Due`` items of ``ctx.tenant`` whose due time lies in ``[ctx.since, ctx.until]``
    — done ones too, so the duties page can count them — in a number of queries that does not grow with the
    school. ``module``: the tenant module the duty belongs to (None: always). The words (``label``, ``rule``,
    ``who``, ``above``) are what the duties page shows; ``policies`` the keys of the policies that set its
    numbers (editable on the policies page)."""

    key: str
    label: str
    rule: str
    who: str
    above: str
    collect: Callable[["Context"], Iterable[Due]]
    module: str | None = None
    policies: tuple[str, ...] = ()


REGISTRY: dict[str, Duty] = {}


def register(duty: Duty) -> Duty:
    if duty.key in REGISTRY and REGISTRY[duty.key] is not duty:
        raise ImproperlyConfigured(f"duty {duty.key} registered twice")
    REGISTRY[duty.key] = duty
    return duty


def discover() -> None:
    """Import every installed app's ``duties.py`` (each registers its duties). Safe to call again."""
    autodiscover_modules("duties")


def duties_of(tenant) -> list[Duty]:
    """The duties of the modules the school has on, in registration order."""
    return [d for d in REGISTRY.values() if d.module is None or tenant.has_module(d.module)]


class Holders:
    """Who holds which role over which scope on one day, for a whole school in one query: duties name their
    people as "the office of organisation 3" and get user ids back without a query per item."""

    def __init__(self, tenant, on: dt.date):
        self.tenant, self.on = tenant, on

    @cached_property
    def _index(self) -> dict[tuple, set[int]]:
        index: dict[tuple, set[int]] = defaultdict(set)
        rows = RoleAssignment.objects.filter(tenant=self.tenant, start__lte=self.on).exclude(end__lt=self.on)
        for role, user_id, college, school_class, organisation, department, room in rows.values_list(
                "role", "user_id", "college_id", "school_class_id", "organisation_id", "department_id", "room_id"):
            scope = (("college", college), ("school_class", school_class), ("organisation", organisation),
                     ("department", department), ("room", room))
            kind, obj = next(((k, v) for k, v in scope if v is not None), ("school", None))
            index[(role, kind, obj)].add(user_id)
        return index

    def of(self, role: str, *, college=None, school_class=None, organisation=None, department=None,
           room=None) -> frozenset[int]:
        """The users holding ``role`` over that one scope object (ids); no argument: a school-wide role."""
        given = {"college": college, "school_class": school_class, "organisation": organisation,
                 "department": department, "room": room}
        scoped = [(k, getattr(v, "pk", v)) for k, v in given.items() if v is not None]
        kind, obj = scoped[0] if scoped else ("school", None)
        return frozenset(self._index.get((role, kind, obj), ()))


@dataclass
class Context:
    """What a duty's ``collect`` gets: the school, the moment, the window of due times to report, and the role
    holders on that day. ``policy(key)`` reads a policy in force today."""

    tenant: object
    now: dt.datetime
    since: dt.datetime
    until: dt.datetime
    holders: Holders = field(init=False)

    def __post_init__(self):
        self.today = local_date(self.now)
        self.holders = Holders(self.tenant, self.today)
        self._policies: dict[str, object] | None = None

    def covers(self, due_at: dt.datetime) -> bool:
        """Whether a due time lies in the window the duties report (``[since, until]``)."""
        return self.since <= due_at <= self.until

    def policy(self, key: str):
        """A policy in force today; the first read loads them all in one query."""
        if self._policies is None:
            self._policies = policy_values(tenant=self.tenant, on=self.today)
        return self._policies[key]
