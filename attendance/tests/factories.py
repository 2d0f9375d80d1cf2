"""Factories for sessions and attendance. Every sub-factory shares its parent's tenant."""

import datetime as dt
from zoneinfo import ZoneInfo

import factory

from attendance.models import (
    Attendance,
    AttendanceChange,
    Audience,
    LeaveRequest,
    Meeting,
    MeetingKind,
    MeetingSeries,
    Status,
)
from members.tests.factories import PersonFactory, UserFactory
from orgs.tests.factories import SAME_TENANT, DepartmentFactory, OrganisationFactory, TenantFactory, TermFactory

SHANGHAI = ZoneInfo("Asia/Shanghai")


class MeetingSeriesFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MeetingSeries

    tenant = factory.SubFactory(TenantFactory)
    organisation = factory.SubFactory(OrganisationFactory, tenant=SAME_TENANT)
    department = factory.SubFactory(DepartmentFactory, tenant=SAME_TENANT,
                                    organisation=factory.SelfAttribute("..organisation"))
    term = factory.SubFactory(TermFactory, tenant=SAME_TENANT)
    title = "宣传部例会"


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    tenant = factory.SubFactory(TenantFactory)
    organisation = factory.SubFactory(OrganisationFactory, tenant=SAME_TENANT)
    kind = MeetingKind.PLENARY
    title = "全体会议"
    stars = 3
    starts_at = dt.datetime(2026, 11, 20, 19, 0, tzinfo=SHANGHAI)
    ends_at = dt.datetime(2026, 11, 20, 20, 30, tzinfo=SHANGHAI)
    audience = Audience.ORGANISATION
    created_by = factory.SubFactory(UserFactory, tenant=SAME_TENANT)


class AttendanceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Attendance

    tenant = factory.SubFactory(TenantFactory)
    meeting = factory.SubFactory(MeetingFactory, tenant=SAME_TENANT)
    person = factory.SubFactory(PersonFactory, tenant=SAME_TENANT)


class AttendanceChangeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AttendanceChange

    tenant = factory.SubFactory(TenantFactory)
    attendance = factory.SubFactory(AttendanceFactory, tenant=SAME_TENANT)
    changed_by = factory.SubFactory(UserFactory, tenant=SAME_TENANT)
    changed_at = dt.datetime(2026, 11, 20, 19, 5, tzinfo=SHANGHAI)
    old_status = Status.UNMARKED
    new_status = Status.PRESENT


class LeaveRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeaveRequest

    tenant = factory.SubFactory(TenantFactory)
    attendance = factory.SubFactory(AttendanceFactory, tenant=SAME_TENANT)
    reason = "实验课"
