"""Factories for the school's structure. Every sub-factory shares its parent's tenant."""

import datetime as dt

import factory

from orgs.models import (
    Building,
    College,
    Department,
    Floor,
    Gender,
    Major,
    Organisation,
    OrganisationKind,
    PlatformAccess,
    PolicyValue,
    Position,
    PositionCategory,
    Room,
    SchoolClass,
    Tenant,
    Term,
)

SAME_TENANT = factory.SelfAttribute("..tenant")


class TenantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tenant

    slug = factory.Sequence(lambda n: f"school{n}")
    name = factory.Sequence(lambda n: f"第{n}大学")
    modules = factory.LazyFunction(lambda: ["alliance", "psych_network", "dormlink", "union", "community"])


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Term

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"2026-2027学年第{n}学期")
    start = dt.date(2026, 9, 7)
    end = dt.date(2027, 1, 17)


class CollegeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = College

    tenant = factory.SubFactory(TenantFactory)
    code = factory.Sequence(lambda n: f"C{n:03d}")
    name = factory.Sequence(lambda n: f"第{n}学院")


class MajorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Major

    tenant = factory.SubFactory(TenantFactory)
    college = factory.SubFactory(CollegeFactory, tenant=SAME_TENANT)
    code = factory.Sequence(lambda n: f"M{n:04d}")
    name = factory.Sequence(lambda n: f"专业{n}")


class SchoolClassFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolClass

    tenant = factory.SubFactory(TenantFactory)
    major = factory.SubFactory(MajorFactory, tenant=SAME_TENANT)
    name = factory.Sequence(lambda n: f"2024级{n}班")
    enrolment_year = 2024


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"{n}栋")


class FloorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Floor

    tenant = factory.SubFactory(TenantFactory)
    building = factory.SubFactory(BuildingFactory, tenant=SAME_TENANT)
    number = factory.Sequence(lambda n: n % 30 + 1)


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    tenant = factory.SubFactory(TenantFactory)
    floor = factory.SubFactory(FloorFactory, tenant=SAME_TENANT)
    number = factory.Sequence(lambda n: f"{100 + n}")
    gender = Gender.FEMALE
    capacity = 4


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    tenant = factory.SubFactory(TenantFactory)
    name = factory.Sequence(lambda n: f"组织{n}")
    kind = OrganisationKind.ALLIANCE


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    tenant = factory.SubFactory(TenantFactory)
    organisation = factory.SubFactory(OrganisationFactory, tenant=SAME_TENANT)
    name = factory.Sequence(lambda n: f"部门{n}")


class PositionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Position

    tenant = factory.SubFactory(TenantFactory)
    organisation = factory.SubFactory(OrganisationFactory, tenant=SAME_TENANT)
    name = factory.Sequence(lambda n: f"干事{n}")
    category = PositionCategory.OFFICER


class PolicyValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PolicyValue

    tenant = factory.SubFactory(TenantFactory)
    key = "members.import_max_mb"
    value = 22
    effective_from = dt.date(2026, 10, 1)


class PlatformAccessFactory(factory.django.DjangoModelFactory):
    """A visit of the platform admin (a user of no school) to one school's page."""

    class Meta:
        model = PlatformAccess

    tenant = factory.SubFactory(TenantFactory)
    user = factory.SubFactory("members.tests.factories.UserFactory", tenant=None, person=None,
                              is_platform_admin=True)
    at = factory.LazyFunction(lambda: dt.datetime(2026, 10, 1, 9, 0, tzinfo=dt.UTC))
    page = "orgs:tenant_edit"
    method = "GET"
