"""A duty of the tests' own for the to-do and the duties page: each organisation's office files a report per
period, the president of the organisation is above it. The registry holds only this duty while a test runs (the
apps' real duties are tested with their apps), and is restored after.

``plan`` is a list of ``(period, offset from now, done)``: one item per organisation and period, due at
``ctx.now + offset``. The duty reads in two queries whatever the number of organisations and periods."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.urls import reverse

from duties import registry
from duties.registry import Due, Duty
from members.models import Role
from orgs.models import Organisation

KEY = "test.report"
LABEL = "报送组织月报"


def report_duty(plan: list) -> Duty:
    def collect(ctx):
        for pk, name in Organisation.objects.filter(tenant=ctx.tenant).order_by("pk").values_list("pk", "name"):
            office = ctx.holders.of(Role.OFFICE, organisation=pk)
            president = ctx.holders.of(Role.PRESIDENT, organisation=pk)
            for period, offset, done in plan:
                yield Due(duty=KEY, subject=f"organisation:{pk}", period=period, due_at=ctx.now + offset,
                          responsible=office, above=president, text=f"{name} {period}", scope=name, done=done,
                          url=reverse("orgs:organisation_detail", kwargs={"organisation_id": pk}))

    return Duty(key=KEY, label=LABEL, rule="每期结束前报送", who="组织的办公室", above="组织的主席",
                collect=collect, policies=("duties.remind_first_days",))


@pytest.fixture(name="report")
def report_fixture():
    """The duty, alone in the registry; ``report.plan`` is its list (edit it in place)."""
    plan: list[tuple[str, dt.timedelta, bool]] = []
    saved = dict(registry.REGISTRY)
    registry.REGISTRY.clear()
    registry.REGISTRY[KEY] = report_duty(plan)
    yield SimpleNamespace(plan=plan, key=KEY, label=LABEL)
    registry.REGISTRY.clear()
    registry.REGISTRY.update(saved)
