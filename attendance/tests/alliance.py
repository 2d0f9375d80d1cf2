"""A small alliance of its own school (six members in two departments) and a plenary session of it, for the
service and export tests."""

import datetime as dt

from django.utils import timezone

from attendance import services
from attendance.models import Audience, MeetingKind
from attendance.tests.factories import SHANGHAI
from members.tests.factories import MembershipFactory, UserFactory
from orgs.tests.factories import DepartmentFactory, OrganisationFactory, TenantFactory, TermFactory

START = dt.datetime(2026, 11, 20, 19, 0, tzinfo=SHANGHAI)
END = START + dt.timedelta(minutes=90)
NOW = END + dt.timedelta(days=1)  # the clock of the edits: the day after the session


class Alliance:
    def __init__(self):
        self.tenant = TenantFactory()
        t = self.tenant
        self.term = TermFactory(tenant=t, start=dt.date(2026, 8, 31), end=dt.date(2027, 1, 17))
        self.org = OrganisationFactory(tenant=t, name="朋辈互助联盟")
        self.publicity = DepartmentFactory(tenant=t, organisation=self.org, name="宣传部")
        self.office_dept = DepartmentFactory(tenant=t, organisation=self.org, name="办公室")
        self.members = [
            MembershipFactory(tenant=t, organisation=self.org, department=dept, term=self.term,
                              start=dt.date(2026, 9, 1)).person
            for dept in [self.publicity] * 4 + [self.office_dept] * 2
        ]
        self.office = UserFactory(tenant=t, person=self.members[-1])
        self.member_user = UserFactory(tenant=t, person=self.members[0])


def plenary(a, **kwargs):
    defaults = dict(organisation=a.org, kind=MeetingKind.PLENARY, title="全体会议", stars=3, starts_at=START,
                    ends_at=END, audience=Audience.ORGANISATION, user=a.office, now=timezone.now())
    return services.meeting_create(**{**defaults, **kwargs})
