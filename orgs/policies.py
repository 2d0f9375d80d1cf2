"""Tenant policies (SPEC OR-6): every number of SPEC is a policy with its SPEC default, stored per tenant.

Each app declares its policies here with ``register`` (in its AppConfig.ready or at import of its
``policies`` module); values live in ``PolicyValue`` rows, one per change, each effective from a date. A
change applies from the start of the next period (the next month, or the next term) and is kept as
history; the settings page lists every policy of the tenant's enabled modules with its default and source.
"""

import datetime as dt
import math
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from orgs.calendar import last_day_of_month


@dataclass(frozen=True)
class Policy:
    key: str
    label: str
    default: int | float | str
    kind: type  # int, float or str
    source: str  # where the default comes from, as users know it: the source document's clause (never a SPEC id)
    period: str  # "month" or "term": when a change starts to apply
    module: str | None = None  # None: part of the core, always shown
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None

    def clean(self, raw):
        """Parse and check a submitted value; raise ValidationError in Chinese.

        Refused as well: a boolean, a fraction for a whole-number policy (3.5 is not silently 3), and a float
        that is not finite (NaN passes every range check and is not valid JSON).
        """
        invalid = ValidationError(_("“%(value)s”不是有效的取值。"), params={"value": raw})
        if isinstance(raw, bool) or (self.kind is int and isinstance(raw, float) and not raw.is_integer()):
            raise invalid
        try:
            value = self.kind(raw.strip() if isinstance(raw, str) else raw)
        except (TypeError, ValueError, OverflowError):
            raise invalid from None
        if self.kind is float and not math.isfinite(value):
            raise invalid
        if self.minimum is not None and value < self.minimum:
            raise ValidationError(_("不能小于 %(min)s。"), params={"min": self.minimum})
        if self.maximum is not None and value > self.maximum:
            raise ValidationError(_("不能大于 %(max)s。"), params={"max": self.maximum})
        return value


REGISTRY: dict[str, Policy] = {}


def register(policy: Policy) -> Policy:
    if policy.key in REGISTRY and REGISTRY[policy.key] != policy:
        raise ValueError(f"policy {policy.key} registered twice with different definitions")
    REGISTRY[policy.key] = policy
    return policy


def get(key: str) -> Policy:
    return REGISTRY[key]


def next_period_start(policy: Policy, *, today: dt.date, terms) -> dt.date:
    """Where a change made ``today`` starts to apply: the first day of the next month or next term.

    ``terms`` are the tenant's terms (any order). With no later term known, a term policy applies from the
    day after the current term ends, or from tomorrow when no term is running.
    """
    if policy.period == "month":
        return last_day_of_month(today.year, today.month) + dt.timedelta(days=1)
    later = sorted(t.start for t in terms if t.start > today)
    if later:
        return later[0]
    running = [t.end for t in terms if t.start <= today <= t.end]
    return (max(running) if running else today) + dt.timedelta(days=1)
