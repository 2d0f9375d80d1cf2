"""A duty of the tests' own for real workers (tests/duty_worker_settings.py imports it into the worker; never
imported by the project, so production never registers it, and never by the test process, so the registry the
other tests see is the project's).

In every school: the first active user (by id) is "above", the next DUTY_TEST_PEOPLE (default 3) are each
responsible for DUTY_TEST_ITEMS (default 4) items, item k due at ANCHOR + DUTY_TEST_FIRST + k·DUTY_TEST_STEP
seconds; ANCHOR is DUTY_TEST_ANCHOR (ISO time) or the school's creation. DUTY_TEST_SLEEP makes each collect sleep
that many seconds after touching a file in DUTY_TEST_MARK (a folder), so a test can kill a worker mid-scan. Reads:
two queries whatever the number of items, as a real duty's collect.
"""

import datetime as dt
import os
import time
import uuid
from pathlib import Path

from duties.registry import Due, Duty, register
from members.models import User

KEY = "worker_test.duty"


def _env(name: str, default: float) -> float:
    return float(os.environ.get(name) or default)


def collect(ctx):
    mark = os.environ.get("DUTY_TEST_MARK")
    if mark:
        (Path(mark) / f"scan-{ctx.tenant.pk}-{os.getpid()}-{uuid.uuid4().hex[:8]}").touch()
    if _env("DUTY_TEST_SLEEP", 0):
        time.sleep(_env("DUTY_TEST_SLEEP", 0))
    people = int(_env("DUTY_TEST_PEOPLE", 3))
    users = list(User.objects.filter(tenant=ctx.tenant, is_active=True).order_by("pk")
                 .values_list("pk", flat=True)[:people + 1])
    if len(users) < 2:
        return
    boss, doers = users[0], users[1:]
    anchor = (dt.datetime.fromisoformat(os.environ["DUTY_TEST_ANCHOR"]) if os.environ.get("DUTY_TEST_ANCHOR")
              else ctx.tenant.created_at)
    first, step = _env("DUTY_TEST_FIRST", 3600), _env("DUTY_TEST_STEP", 3600)
    for k in range(int(_env("DUTY_TEST_ITEMS", 4))):
        due_at = anchor + dt.timedelta(seconds=first + k * step)
        if not ctx.since <= due_at <= ctx.until:
            continue
        for doer in doers:
            yield Due(duty=KEY, subject=f"user:{doer}", period=f"item-{k}", due_at=due_at,
                      responsible=frozenset({doer}), above=frozenset({boss}), url="/",
                      text=f"worker test item {k} (user {doer})")


register(Duty(key=KEY, label="worker test duty", rule="test", who="test", above="test", collect=collect))
