"""Tenant policies (SPEC OR-6): defaults, changes from the next period, history, validation, modules."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from members.tests.factories import UserFactory
from orgs import policies
from orgs.models import PolicyValue
from orgs.selectors import policy_table, policy_value, policy_values
from orgs.services import policy_set
from orgs.tenancy import tenant_scope
from orgs.tests.factories import TenantFactory, TermFactory

D = dt.date
MONTHLY_POLICY = policies.Policy(
    key="tests.monthly", label="月度参数（测试）", default=23, kind=int, source="测试", period="month",
    minimum=0, maximum=23,
)
MONTHLY = MONTHLY_POLICY.key  # a core policy changed from the next month: default 23, 0..23

TERMLY = policies.Policy(
    key="tests.termly", label="学期参数（测试）", default=5, kind=int, source="测试", period="term",
    minimum=1, maximum=10,
)
DORMLINK = policies.Policy(
    key="tests.dormlink_visits", label="每周走访次数（测试）", default=2, kind=int, source="SPEC DL-2",
    period="month", module="dormlink", minimum=1,
)
RATIO = policies.Policy(
    key="tests.ratio", label="比例（测试）", default=0.2, kind=float, source="SPEC SC-13", period="term",
)


@pytest.fixture(autouse=True)
def extra_policies(monkeypatch):
    for policy in (MONTHLY_POLICY, TERMLY, DORMLINK, RATIO):
        monkeypatch.setitem(policies.REGISTRY, policy.key, policy)


@pytest.fixture
def tenant(db):
    tenant = TenantFactory(modules=["alliance"])
    with tenant_scope(tenant):
        yield tenant


@pytest.fixture
def admin(tenant):
    return UserFactory(tenant=tenant)


def _set(tenant, admin, key, value, today, note=""):
    return policy_set(tenant=tenant, key=key, raw_value=value, user=admin, today=today, note=note)


def test_the_default_applies_without_a_change(tenant):
    assert policy_value(tenant=tenant, key=MONTHLY, on=D(2026, 10, 15)) == 23
    assert policy_value(tenant=tenant, key=TERMLY.key, on=D(2026, 10, 15)) == 5


def test_a_monthly_policy_changes_from_the_first_day_of_next_month(tenant, admin):
    change = _set(tenant, admin, MONTHLY, "20", D(2026, 10, 15), note="学院要求提前")
    assert change.effective_from == D(2026, 11, 1)
    assert change.value == 20 and change.changed_by == admin and change.note == "学院要求提前"
    assert policy_value(tenant=tenant, key=MONTHLY, on=D(2026, 10, 15)) == 23  # not today
    assert policy_value(tenant=tenant, key=MONTHLY, on=D(2026, 10, 31)) == 23
    assert policy_value(tenant=tenant, key=MONTHLY, on=D(2026, 11, 1)) == 20


@pytest.mark.parametrize(
    ("today", "effective"),
    [(D(2026, 12, 31), D(2027, 1, 1)), (D(2026, 12, 1), D(2027, 1, 1)), (D(2028, 2, 29), D(2028, 3, 1))],
)
def test_a_monthly_change_across_the_year_and_on_the_last_day(tenant, admin, today, effective):
    assert _set(tenant, admin, MONTHLY, 21, today).effective_from == effective


def test_a_term_policy_changes_from_the_start_of_the_next_term(tenant, admin):
    TermFactory(tenant=tenant, start=D(2026, 9, 7), end=D(2027, 1, 17))
    spring = TermFactory(tenant=tenant, start=D(2027, 2, 22), end=D(2027, 7, 4))
    change = _set(tenant, admin, TERMLY.key, "7", D(2026, 10, 15))
    assert change.effective_from == spring.start
    assert policy_value(tenant=tenant, key=TERMLY.key, on=D(2027, 2, 21)) == 5
    assert policy_value(tenant=tenant, key=TERMLY.key, on=spring.start) == 7


def test_a_term_policy_without_a_next_term_changes_after_the_current_term(tenant, admin):
    TermFactory(tenant=tenant, start=D(2026, 9, 7), end=D(2027, 1, 17))
    assert _set(tenant, admin, TERMLY.key, 7, D(2026, 10, 15)).effective_from == D(2027, 1, 18)


def test_a_term_policy_changed_between_terms_applies_from_the_next_term(tenant, admin):
    TermFactory(tenant=tenant, start=D(2026, 9, 7), end=D(2027, 1, 17))
    TermFactory(tenant=tenant, start=D(2027, 2, 22), end=D(2027, 7, 4))
    assert _set(tenant, admin, TERMLY.key, 7, D(2027, 2, 1)).effective_from == D(2027, 2, 22)


def test_a_term_policy_without_any_term_changes_from_tomorrow(tenant, admin):
    assert _set(tenant, admin, TERMLY.key, 7, D(2026, 10, 15)).effective_from == D(2026, 10, 16)


def test_another_schools_terms_do_not_count(tenant, admin):
    other = TenantFactory()
    with tenant_scope(other):
        TermFactory(tenant=other, start=D(2026, 11, 1), end=D(2027, 1, 17))
    assert _set(tenant, admin, TERMLY.key, 7, D(2026, 10, 15)).effective_from == D(2026, 10, 16)


def test_every_change_is_kept_as_history(tenant, admin):
    first = _set(tenant, admin, MONTHLY, 20, D(2026, 9, 15))
    second = _set(tenant, admin, MONTHLY, 18, D(2026, 10, 15))
    third = _set(tenant, admin, MONTHLY, 19, D(2026, 10, 20))  # same month: the later change wins
    assert PolicyValue.objects.filter(key=MONTHLY).count() == 3
    assert policy_value(tenant=tenant, key=MONTHLY, on=D(2026, 9, 30)) == 23
    assert policy_value(tenant=tenant, key=MONTHLY, on=D(2026, 10, 1)) == 20
    assert policy_value(tenant=tenant, key=MONTHLY, on=D(2026, 11, 1)) == 19

    row = next(r for r in policy_table(tenant=tenant, on=D(2026, 10, 25)) if r["policy"].key == MONTHLY)
    assert row["value"] == 20 and not row["is_default"]
    assert row["pending"] == third
    assert [c.pk for c in row["history"]] == [third.pk, second.pk, first.pk]


def test_policy_table_lists_defaults_with_their_source(tenant):
    rows = {r["policy"].key: r for r in policy_table(tenant=tenant, on=D(2026, 10, 15))}
    assert rows[MONTHLY]["value"] == 23 and rows[MONTHLY]["is_default"]
    assert rows[MONTHLY]["pending"] is None and rows[MONTHLY]["history"] == []
    assert all(str(r["policy"].source) for r in rows.values())


def test_a_schools_change_does_not_touch_another_school(tenant, admin):
    _set(tenant, admin, MONTHLY, 20, D(2026, 10, 15))
    other = TenantFactory()
    with tenant_scope(other):
        assert policy_value(tenant=other, key=MONTHLY, on=D(2027, 1, 1)) == 23


@pytest.mark.parametrize(
    ("key", "raw", "message"),
    [
        (MONTHLY, "abc", "不是有效的取值"),
        (MONTHLY, "", "不是有效的取值"),
        (MONTHLY, None, "不是有效的取值"),
        (MONTHLY, "3.5", "不是有效的取值"),
        (MONTHLY, 3.5, "不是有效的取值"),  # not silently truncated to 3
        (MONTHLY, True, "不是有效的取值"),
        (MONTHLY, "-1", "不能小于"),
        (MONTHLY, "24", "不能大于"),
        (TERMLY.key, 0, "不能小于"),
        (TERMLY.key, 11, "不能大于"),
        (RATIO.key, "nan", "不是有效的取值"),  # NaN passes every comparison and is not valid JSON
        (RATIO.key, "inf", "不是有效的取值"),
        (RATIO.key, "二十", "不是有效的取值"),
    ],
)
def test_a_bad_value_is_refused_in_chinese_and_nothing_is_saved(tenant, admin, key, raw, message):
    with pytest.raises(ValidationError) as excinfo:
        _set(tenant, admin, key, raw, D(2026, 10, 15))
    assert message in " ".join(excinfo.value.messages)
    assert not PolicyValue.objects.exists()


@pytest.mark.parametrize(("key", "raw", "value"), [(MONTHLY, " 7 ", 7), (MONTHLY, 7.0, 7), (RATIO.key, "0.25", 0.25)])
def test_good_values_are_parsed(tenant, admin, key, raw, value):
    assert _set(tenant, admin, key, raw, D(2026, 10, 15)).value == value
    assert PolicyValue.objects.get().value == value


def test_a_policy_of_a_module_that_is_off_is_refused_and_not_listed(tenant, admin):
    assert not tenant.has_module("dormlink")
    with pytest.raises(ValidationError) as excinfo:
        _set(tenant, admin, DORMLINK.key, 3, D(2026, 10, 15))
    assert "未启用" in " ".join(excinfo.value.messages)
    assert not PolicyValue.objects.exists()
    keys = {r["policy"].key for r in policy_table(tenant=tenant, on=D(2026, 10, 15))}
    assert DORMLINK.key not in keys
    assert MONTHLY in keys


def test_a_policy_of_a_module_that_is_on_is_listed_and_changes(db):
    tenant = TenantFactory(modules=["dormlink"])
    with tenant_scope(tenant):
        keys = {r["policy"].key for r in policy_table(tenant=tenant, on=D(2026, 10, 15))}
        assert DORMLINK.key in keys
        change = _set(tenant, UserFactory(tenant=tenant), DORMLINK.key, "3", D(2026, 10, 15))
        assert change.value == 3


def test_registering_a_policy_twice_differently_is_an_error():
    with pytest.raises(ValueError):
        policies.register(policies.Policy(**{**TERMLY.__dict__, "default": 6}))
    assert policies.register(TERMLY) is TERMLY  # the same definition again is fine


def test_a_change_that_changes_nothing_is_refused(tenant, admin):
    with pytest.raises(ValidationError, match="无需修改"):
        _set(tenant, admin, MONTHLY, "23", D(2026, 10, 15))  # the default, already in force from 1 November
    _set(tenant, admin, MONTHLY, "20", D(2026, 10, 15))
    with pytest.raises(ValidationError, match="无需修改"):
        _set(tenant, admin, MONTHLY, 20, D(2026, 10, 20))  # the same change again
    assert PolicyValue.objects.filter(key=MONTHLY).count() == 1
    _set(tenant, admin, MONTHLY, 23, D(2026, 10, 20))  # going back to the default is a real change
    assert policy_value(tenant=tenant, key=MONTHLY, on=D(2026, 11, 1)) == 23


def test_every_policy_in_force_is_read_in_one_query(tenant, django_assert_num_queries):
    key = next(iter(policies.REGISTRY))
    policy = policies.get(key)
    user = UserFactory(tenant=tenant)
    changed = policy.default + 1 if policy.kind is not str else policy.default + "x"
    policy_set(tenant=tenant, key=key, raw_value=changed, user=user, today=dt.date(2026, 8, 1))
    with django_assert_num_queries(1):
        values = policy_values(tenant=tenant, on=dt.date(2026, 10, 1))
    assert set(values) == set(policies.REGISTRY) and values[key] == changed
    assert all(values[k] == policy_value(tenant=tenant, key=k, on=dt.date(2026, 10, 1)) for k in values)
