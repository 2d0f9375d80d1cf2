"""Factories for the duty engine's rows. Every sub-factory shares its parent's tenant."""

import datetime as dt

import factory

from members.tests.factories import UserFactory
from orgs.tests.factories import SAME_TENANT, TenantFactory

CREATED = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.UTC)


class ReminderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "duties.Reminder"

    tenant = factory.SubFactory(TenantFactory)
    user = factory.SubFactory(UserFactory, tenant=SAME_TENANT)
    duty = "test.duty"
    subject = factory.Sequence(lambda n: f"thing:{n}")
    period = "2026-11"
    kind = "before:1"
    due_at = CREATED + dt.timedelta(days=1)
    created_at = CREATED


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "duties.Notification"

    tenant = factory.SubFactory(TenantFactory)
    user = factory.SubFactory(UserFactory, tenant=SAME_TENANT)
    duty = "test.duty"
    title = factory.Sequence(lambda n: f"即将到期：测试事项 {n}")
    body = "测试事项，请在 11月28日 09:00 前完成。"
    url = "/"
    created_at = CREATED


class NotificationSettingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "duties.NotificationSetting"

    tenant = factory.SubFactory(TenantFactory)
    user = factory.SubFactory(UserFactory, tenant=SAME_TENANT)
    email = False
