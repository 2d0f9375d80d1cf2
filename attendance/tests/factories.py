"""Factories for sessions and attendance. Every sub-factory shares its parent's tenant."""

import datetime as dt
from zoneinfo import ZoneInfo

import factory
from django.core.files.base import ContentFile

from attendance.models import (
    ActivityCoordination,
    ActivityPerformance,
    ActivityProposal,
    ActivityReport,
    Attendance,
    AttendanceChange,
    Audience,
    LeaveRequest,
    Meeting,
    MeetingKind,
    MeetingSeries,
    Minutes,
    PlenaryDisruption,
    PlenaryOrder,
    Status,
    Task,
    TaskAssignment,
    TaskAttachment,
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


RECORDED_AT = dt.datetime(2026, 11, 20, 21, 0, tzinfo=SHANGHAI)


class _Recorded(factory.django.DjangoModelFactory):
    """The office's records about a session: who recorded them, when."""

    class Meta:
        abstract = True

    tenant = factory.SubFactory(TenantFactory)
    meeting = factory.SubFactory(MeetingFactory, tenant=SAME_TENANT)
    recorded_by = factory.SubFactory(UserFactory, tenant=SAME_TENANT)
    recorded_at = RECORDED_AT


class MinutesFactory(_Recorded):
    class Meta:
        model = Minutes

    taker = factory.SubFactory(PersonFactory, tenant=SAME_TENANT)
    taken = True
    grade = "good"


class PlenaryOrderFactory(_Recorded):
    class Meta:
        model = PlenaryOrder

    department = factory.SubFactory(DepartmentFactory, tenant=SAME_TENANT,
                                    organisation=factory.SelfAttribute("..meeting.organisation"))
    order = "orderly"


class PlenaryDisruptionFactory(_Recorded):
    class Meta:
        model = PlenaryDisruption

    person = factory.SubFactory(PersonFactory, tenant=SAME_TENANT)


class ActivityMeetingFactory(MeetingFactory):
    kind = MeetingKind.ACTIVITY
    title = "心理健康宣传活动"
    stars = 2


class ActivityReportFactory(_Recorded):
    class Meta:
        model = ActivityReport

    meeting = factory.SubFactory(ActivityMeetingFactory, tenant=SAME_TENANT)
    overall_grade = "good"


class ActivityCoordinationFactory(_Recorded):
    class Meta:
        model = ActivityCoordination

    meeting = factory.SubFactory(ActivityMeetingFactory, tenant=SAME_TENANT)
    department = factory.SubFactory(DepartmentFactory, tenant=SAME_TENANT,
                                    organisation=factory.SelfAttribute("..meeting.organisation"))
    grade = "good"


class ActivityPerformanceFactory(_Recorded):
    class Meta:
        model = ActivityPerformance

    meeting = factory.SubFactory(ActivityMeetingFactory, tenant=SAME_TENANT)
    person = factory.SubFactory(PersonFactory, tenant=SAME_TENANT)
    outstanding = True


class ActivityProposalFactory(_Recorded):
    class Meta:
        model = ActivityProposal

    meeting = factory.SubFactory(ActivityMeetingFactory, tenant=SAME_TENANT)
    person = factory.SubFactory(PersonFactory, tenant=SAME_TENANT)
    title = "宿舍心理委员趣味运动会"


class TaskFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Task

    tenant = factory.SubFactory(TenantFactory)
    organisation = factory.SubFactory(OrganisationFactory, tenant=SAME_TENANT)
    title = "整理十一月会议记录"
    created_at = dt.datetime(2026, 11, 16, 9, 0, tzinfo=SHANGHAI)
    deadline = dt.datetime(2026, 11, 22, 22, 0, tzinfo=SHANGHAI)
    audience = Audience.ORGANISATION
    created_by = factory.SubFactory(UserFactory, tenant=SAME_TENANT)


class TaskAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaskAssignment

    tenant = factory.SubFactory(TenantFactory)
    task = factory.SubFactory(TaskFactory, tenant=SAME_TENANT)
    person = factory.SubFactory(PersonFactory, tenant=SAME_TENANT)


class TaskAttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaskAttachment

    tenant = factory.SubFactory(TenantFactory)
    assignment = factory.SubFactory(TaskAssignmentFactory, tenant=SAME_TENANT)
    file = factory.LazyFunction(lambda: ContentFile("会议记录".encode(), name="minutes.txt"))
    name = "会议记录.txt"
    size = 12
    uploaded_at = dt.datetime(2026, 11, 21, 20, 0, tzinfo=SHANGHAI)
