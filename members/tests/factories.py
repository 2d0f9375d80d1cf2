"""Factories for people, accounts, roles and memberships. Every sub-factory shares its parent's tenant."""

import datetime as dt

import factory
from django.conf import settings

from members.models import (
    AcademicStanding,
    DisciplinaryRecord,
    DisciplineLevel,
    ImportJob,
    Membership,
    Person,
    Role,
    RoleAssignment,
    User,
)
from orgs.models import Gender
from orgs.tests.factories import (
    SAME_TENANT,
    CollegeFactory,
    DepartmentFactory,
    OrganisationFactory,
    PositionFactory,
    SchoolClassFactory,
    TenantFactory,
    TermFactory,
)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    tenant = factory.SubFactory(TenantFactory)
    number = factory.Sequence(lambda n: f"2024{n:06d}")
    name = factory.Sequence(lambda n: f"学生{n}")
    gender = Gender.FEMALE
    school_class = factory.SubFactory(SchoolClassFactory, tenant=SAME_TENANT)
    major = factory.SelfAttribute("school_class.major")
    college = factory.SelfAttribute("school_class.major.college")
    enrolment_year = factory.SelfAttribute("school_class.enrolment_year")


class UserFactory(factory.django.DjangoModelFactory):
    """A tenant user with a person. Uses a fast hasher-independent password set once per test run."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    tenant = factory.SubFactory(TenantFactory)
    person = factory.SubFactory(PersonFactory, tenant=SAME_TENANT)
    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password(settings.DEMO_PASSWORD)


class RoleAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RoleAssignment

    tenant = factory.SubFactory(TenantFactory)
    user = factory.SubFactory(UserFactory, tenant=SAME_TENANT)
    role = Role.TENANT_ADMIN
    start = dt.date(2020, 1, 1)


class AcademicStandingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AcademicStanding

    tenant = factory.SubFactory(TenantFactory)
    person = factory.SubFactory(PersonFactory, tenant=SAME_TENANT)
    term = factory.SubFactory(TermFactory, tenant=SAME_TENANT)
    rank_percentile = 25
    failed_courses = 0


class DisciplinaryRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DisciplinaryRecord

    tenant = factory.SubFactory(TenantFactory)
    person = factory.SubFactory(PersonFactory, tenant=SAME_TENANT)
    level = DisciplineLevel.WARNING
    reason = "夜不归宿"
    decided_on = dt.date(2026, 10, 8)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    tenant = factory.SubFactory(TenantFactory)
    person = factory.SubFactory(PersonFactory, tenant=SAME_TENANT)
    organisation = factory.SubFactory(OrganisationFactory, tenant=SAME_TENANT)
    department = factory.SubFactory(
        DepartmentFactory, tenant=SAME_TENANT, organisation=factory.SelfAttribute("..organisation")
    )
    position = factory.SubFactory(
        PositionFactory, tenant=SAME_TENANT, organisation=factory.SelfAttribute("..organisation")
    )
    term = factory.SubFactory(TermFactory, tenant=SAME_TENANT)
    start = dt.date(2026, 9, 10)


__all__ = [
    "AcademicStandingFactory", "CollegeFactory", "ImportJobFactory", "DisciplinaryRecordFactory", "MembershipFactory",
    "PersonFactory", "RoleAssignmentFactory", "UserFactory",
]


class ImportJobFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportJob

    tenant = factory.SubFactory(TenantFactory)
    kind = "students"
    file = factory.django.FileField(filename="roster.csv", data="学号,姓名\r\n".encode())
    original_name = "名册.csv"
    uploaded_by = factory.SubFactory(UserFactory, tenant=SAME_TENANT)
    # a job as its worker holds it: a running job without a lease is one whose worker is gone
    lease_until = factory.LazyFunction(lambda: dt.datetime.now(dt.UTC) + dt.timedelta(minutes=20))
