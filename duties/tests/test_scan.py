"""The duty engine with a duty of its own (no app's): when reminders are owed, that a scan creates each once
however often it runs, that a done item is never reminded, that a rollback sends nothing, and the texts."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from duties import engine, registry, services
from duties.models import EmailState, Notification, NotificationSetting, Reminder
from duties.registry import Due, Duty
from members.tests.factories import UserFactory
from orgs.tenancy import tenant_scope
from orgs.tests.factories import TenantFactory

NOW = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)


def _item(due_at, *, done=False, responsible=(1,), above=(9,)):
    return Due(duty="test.duty", subject="thing:1", period="2026-11", due_at=due_at,
               responsible=frozenset(responsible), above=frozenset(above), text="测试事项", done=done)


@pytest.mark.parametrize(("hours_left", "owed"), [
    (100, []),  # more than 3 days left
    (71, ["before:3"]),
    (23, ["before:1"]),  # first seen a day before: one reminder, the latest
    (0.5, ["before:1"]),
    (0, ["overdue", "overdue_above"]),
    (-48, ["overdue", "overdue_above"]),
])
def test_which_reminder_is_owed_when(hours_left, owed):
    item = _item(NOW + dt.timedelta(hours=hours_left))
    assert [kind for kind, _users in engine.reminders_owed(item, NOW, [3, 1])] == owed


def test_a_done_item_owes_nothing_and_someone_above_and_responsible_gets_one():
    assert engine.reminders_owed(_item(NOW, done=True), NOW, [3, 1]) == []
    assert engine.reminders_owed(_item(NOW, responsible=(1,), above=(1,)), NOW, [3, 1]) == [
        ("overdue", frozenset({1}))]


@pytest.fixture
def world(db, monkeypatch):
    tenant = TenantFactory()
    with tenant_scope(tenant):
        doer, boss = UserFactory(tenant=tenant, email="doer@example.edu.cn"), UserFactory(tenant=tenant)
    state = {"done": False, "due_at": NOW + dt.timedelta(hours=20)}

    def collect(ctx):
        yield Due(duty="test.duty", subject="thing:1", period="2026-11", due_at=state["due_at"],
                  responsible=frozenset({doer.pk}), above=frozenset({boss.pk}), url="/somewhere/",
                  above_url="/overview/",
                  text="测试事项 2026年11月", done=state["done"])

    duty = Duty(key="test.duty", label="完成测试事项", rule="每月", who="负责人", above="上级", collect=collect)
    monkeypatch.setitem(registry.REGISTRY, "test.duty", duty)
    with tenant_scope(tenant):
        yield tenant, doer, boss, state


def test_a_scan_reminds_once_however_often_it_runs(world):
    tenant, doer, boss, state = world
    first = services.duties_scan(tenant=tenant, now=NOW)
    assert (first.items, first.created, first.notified) == (1, 1, 1)
    for _ in range(3):
        again = services.duties_scan(tenant=tenant, now=NOW + dt.timedelta(minutes=5))
        assert (again.created, again.notified) == (0, 0)
    note = Notification.objects.get()
    assert (note.user_id, note.title, note.url) == (doer.pk, "即将到期：完成测试事项", "/somewhere/")
    assert "测试事项 2026年11月" in note.body
    # past the due time: the doer and the one above are told, once each
    late = services.duties_scan(tenant=tenant, now=state["due_at"] + dt.timedelta(minutes=1))
    assert (late.created, late.notified) == (2, 2)
    assert services.duties_scan(tenant=tenant, now=state["due_at"] + dt.timedelta(hours=1)).notified == 0
    assert sorted(Reminder.objects.values_list("kind", "user_id")) == sorted(
        [("before:1", doer.pk), ("overdue", doer.pk), ("overdue_above", boss.pk)])
    above = Notification.objects.filter(user=boss).get()
    assert (above.title, above.url) == ("下属事项逾期：完成测试事项", "/overview/")  # where the one above sees it
    assert Notification.objects.filter(user=doer, title__startswith="已逾期").get().url == "/somewhere/"


def test_a_done_item_is_never_reminded(world):
    tenant, _doer, _boss, state = world
    state["done"] = True
    assert services.duties_scan(tenant=tenant, now=NOW).notified == 0
    assert not Reminder.objects.exists() and not Notification.objects.exists()


def test_a_reminder_whose_item_was_done_before_its_claim_is_skipped(world):
    tenant, doer, _boss, state = world
    Reminder.objects.create(tenant=tenant, duty="test.duty", subject="thing:1", period="2026-11", user=doer,
                            kind="before:1", due_at=state["due_at"], created_at=NOW)  # a scan died before claiming
    state["done"] = True
    result = services.duties_scan(tenant=tenant, now=NOW)
    assert (result.notified, result.skipped) == (0, 1)
    assert Reminder.objects.get().skipped and not Notification.objects.exists()


def test_a_scan_that_rolls_back_leaves_nothing_and_enqueues_nothing(world, django_capture_on_commit_callbacks):
    tenant, doer, _boss, _state = world
    NotificationSetting.objects.create(tenant=tenant, user=doer, email=True)
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(RuntimeError), transaction.atomic():
        services.duties_scan(tenant=tenant, now=NOW)
        raise RuntimeError("the worker died")
    assert callbacks == []
    assert not Reminder.objects.exists() and not Notification.objects.exists()
    # the next scan does it all, once
    with django_capture_on_commit_callbacks() as callbacks:
        assert services.duties_scan(tenant=tenant, now=NOW).notified == 1
    assert len(callbacks) == 1
    assert Notification.objects.get().email_state == EmailState.PENDING


def test_an_email_is_sent_once_and_a_failure_is_retried_not_lost(world, mailoutbox, monkeypatch):
    tenant, doer, _boss, _state = world
    NotificationSetting.objects.create(tenant=tenant, user=doer, email=True)
    services.duties_scan(tenant=tenant, now=NOW)
    note = Notification.objects.get()

    def bounce(*args, **kwargs):
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setattr(services, "send_mail", bounce)
    with pytest.raises(ConnectionRefusedError):
        services.notification_email_send(notification_id=note.pk, now=timezone.now())
    note.refresh_from_db()
    assert (note.email_state, note.email_attempts, note.email_error) == (EmailState.PENDING, 1,
                                                                        "ConnectionRefusedError")
    monkeypatch.undo()
    assert services.notification_email_send(notification_id=note.pk, now=timezone.now()) == EmailState.SENT
    assert services.notification_email_send(notification_id=note.pk, now=timezone.now()) == EmailState.SENT
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["doer@example.edu.cn"]
    assert mailoutbox[0].subject == "即将到期：完成测试事项"


def test_what_becomes_overdue_below_someone_in_one_scan_is_one_notice(world, monkeypatch):
    tenant, doer, boss, state = world
    with tenant_scope(tenant):
        others = [UserFactory(tenant=tenant) for _ in range(3)]

    def collect(ctx):
        for n, user in enumerate([doer, *others]):
            yield Due(duty="test.duty", subject=f"thing:{n}", period="2026-11", due_at=state["due_at"],
                      responsible=frozenset({user.pk}), above=frozenset({boss.pk}), url="/mine/",
                      above_url="/overview/", text=f"测试事项 {n}")

    monkeypatch.setitem(registry.REGISTRY, "test.duty", Duty(
        key="test.duty", label="完成测试事项", rule="每月", who="负责人", above="上级", collect=collect))
    result = services.duties_scan(tenant=tenant, now=state["due_at"] + dt.timedelta(minutes=1))
    assert result.created == 8  # four overdue reminders and four to the one above: each owed once
    notice = Notification.objects.get(user=boss)
    assert (notice.title, notice.url) == ("下属事项逾期：完成测试事项", "/overview/")
    assert notice.body.startswith("4 项已逾期")
    assert Notification.objects.filter(user__in=[doer, *others]).count() == 4
