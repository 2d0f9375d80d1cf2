"""seed_university (issue 3, item 4): a synthetic university in the promised shape, reused or refused on re-run,
and a structure-only twin that holds the same structure and nobody."""

import datetime as dt
import math
import re
from collections import Counter, defaultdict
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import QuerySet
from django.utils import timezone

from members import university
from members.demo.names import REAL_NAMES_SEED_000, is_real_name
from members.models import AcademicStanding, DisciplinaryRecord, Membership, Person, PoliticalStatus
from orgs.calendar import local_date
from orgs.models import (
    Building,
    College,
    Department,
    Floor,
    Major,
    Organisation,
    OrganisationKind,
    Position,
    PositionCategory,
    Room,
    SchoolClass,
    Tenant,
    Term,
)
from orgs.modules import MODULES
from orgs.tenancy import tenant_scope
from orgs.tests.factories import TenantFactory

N = 300


def seed(slug, *args, students=N):
    out = StringIO()
    call_command("seed_university", "--tenant", slug, "--students", str(students), *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def uni(db):
    output = seed("uni")
    tenant = Tenant.objects.get(slug="uni")
    with tenant_scope(tenant):
        yield tenant, output


def test_the_university_has_the_promised_shape(uni):
    tenant, output = uni
    assert tenant.name == "合成大学（uni）" and sorted(tenant.modules) == sorted(MODULES)
    assert "已创建" in output and "学生" in output and "用时" in output

    colleges = list(College.objects.all())
    assert len(colleges) >= 20 and len({c.name for c in colleges}) == len(colleges)
    assert "计算机科学与技术学院" in {c.name for c in colleges}
    majors_per_college = Counter(Major.objects.values_list("college_id", flat=True))
    assert set(majors_per_college) == {c.pk for c in colleges}
    assert all(3 <= n <= 5 for n in majors_per_college.values())

    students = Person.objects.all()
    assert students.count() == N
    sizes = defaultdict(list)  # (major, year) -> [(name, size)]
    for school_class in SchoolClass.objects.select_related("major"):
        assert school_class.college_id == school_class.major.college_id
        assert re.fullmatch(rf"\D+{school_class.enrolment_year % 100:02d}\d{{2}}班", school_class.name)
        assert school_class.enrolment_year in university.YEARS
        size = students.filter(school_class=school_class).count()
        sizes[(school_class.major_id, school_class.enrolment_year)].append((school_class.name, size))
    for classes in sizes.values():
        *full, (_last, last_size) = sorted(classes)
        assert all(30 <= size <= 50 for _name, size in full) and 1 <= last_size <= 50

    numbers = list(students.values_list("number", "enrolment_year", "college__code", "school_class__major__college"))
    assert len({n for n, *_ in numbers}) == N
    assert all(number.startswith(f"{year}{code}") for number, year, code, _college in numbers)
    assert all(s.major.college_id == s.college_id and s.school_class.major_id == s.major_id
               for s in students.select_related("major", "school_class"))

    rooms = Room.objects.count()
    assert 0.8 * N / 4 <= rooms <= 1.2 * N / 4
    assert set(Room.objects.values_list("capacity", flat=True)) <= {4, 6}
    assert all(f.building_id == r.building_id for r in Room.objects.select_related("floor") for f in [r.floor])
    assert all(5 <= n <= 6 for n in Counter(Floor.objects.values_list("building_id", flat=True)).values())

    statuses = Counter(students.values_list("political_status", flat=True))
    assert set(statuses) == set(PoliticalStatus.values)
    party = statuses[PoliticalStatus.PARTY_MEMBER] + statuses[PoliticalStatus.PROBATIONARY]
    assert 0.03 <= party / N <= 0.07
    assert statuses[PoliticalStatus.LEAGUE] > N / 2

    today = local_date(timezone.now())
    current = Term.objects.get(start__lte=today, end__gte=today)
    previous = Term.objects.exclude(pk=current.pk).get()
    assert previous.end < current.start
    standings = AcademicStanding.objects.filter(term=previous)
    assert standings.count() == N and AcademicStanding.objects.count() == N
    assert all(0 <= s <= 100 for s in standings.values_list("rank_percentile", flat=True))
    failed = Counter(standings.values_list("failed_courses", flat=True))
    assert set(failed) <= {0, 1, 2, 3} and 0.06 <= (N - failed[0]) / N <= 0.10
    assert 1 <= DisciplinaryRecord.objects.count() <= max(2, math.ceil(0.01 * N))


def test_every_student_lives_in_a_room_of_their_gender_with_classmates_and_no_room_is_over_capacity(uni):
    residents = defaultdict(list)
    for gender, room_gender, room, school_class in Person.objects.values_list(
        "gender", "room__gender", "room", "school_class"
    ):
        assert room is not None and gender == room_gender
        residents[room].append(school_class)
    capacity = dict(Room.objects.values_list("pk", "capacity"))
    assert all(len(classes) <= capacity[room] for room, classes in residents.items())
    assert all(len(set(classes)) == 1 for classes in residents.values())  # no room mixes classes


def test_organisations_with_their_departments_positions_and_members(uni):
    tenant, _output = uni
    today = local_date(timezone.now())
    current = Term.objects.get(start__lte=today, end__gte=today)
    union = Organisation.objects.get(kind=OrganisationKind.SCHOOL_UNION)
    assert list(union.departments.order_by("order").values_list("name", flat=True)) == [
        "秘书处", "文体部", "权益部", "学习部", "新闻传媒部", "心理部"
    ]
    alliance = Organisation.objects.get(kind=OrganisationKind.ALLIANCE)
    assert list(alliance.departments.order_by("order").values_list("name", "is_presidium")) == [
        ("主席团", True), ("办公室", False), ("宣传部", False), ("活动部", False), ("培训部", False), ("外联部", False)
    ]
    colleges = College.objects.count()
    college_unions = Organisation.objects.filter(kind=OrganisationKind.COLLEGE_UNION)
    assert college_unions.count() == colleges and set(college_unions.values_list("parent", flat=True)) == {union.pk}
    branches = Organisation.objects.filter(kind=OrganisationKind.PARTY_BRANCH)
    assert branches.count() == colleges and branches.filter(college=None).count() == 0

    memberships = Membership.objects.select_related("person", "position", "organisation", "department")
    assert memberships.filter(organisation=union).count() >= 10
    assert memberships.filter(organisation=alliance).count() >= 10
    assert memberships.filter(organisation__kind=OrganisationKind.COLLEGE_UNION).count() >= 10
    assert {m.position.category for m in memberships} == {PositionCategory.CADRE, PositionCategory.OFFICER}
    party = {PoliticalStatus.PARTY_MEMBER, PoliticalStatus.PROBATIONARY, PoliticalStatus.DEVELOPMENT}
    for m in memberships:
        assert m.term_id == current.pk and m.start == current.start and m.end is None
        assert m.position.organisation_id == m.organisation_id
        assert m.department is None or m.department.organisation_id == m.organisation_id
        if m.organisation.kind == OrganisationKind.PARTY_BRANCH:
            assert m.person.political_status in party and m.person.college_id == m.organisation.college_id
    in_branches = memberships.filter(organisation__kind=OrganisationKind.PARTY_BRANCH).count()
    assert in_branches == Person.objects.filter(political_status__in=party).count()
    assert Position.objects.filter(organisation=union, category=PositionCategory.CADRE).exists()
    assert Department.objects.filter(organisation__in=college_unions).count() == 4 * colleges


def test_no_real_name_of_seed_000(uni):
    names = list(Person.objects.values_list("name", flat=True))
    assert len(set(names)) == N
    assert not any(is_real_name(name) for name in names)
    assert not set(names) & REAL_NAMES_SEED_000


def counts(tenant):
    with tenant_scope(tenant):
        return {
            model.__name__: (model.objects.count(), max(model.objects.values_list("pk", flat=True), default=0))
            for model in (College, Major, SchoolClass, Building, Floor, Room, Term, Organisation, Department,
                          Position, Person, AcademicStanding, DisciplinaryRecord, Membership)
        }


def test_a_second_run_reuses_the_university_and_another_size_or_seed_is_refused(uni):
    tenant, _output = uni
    before = counts(tenant)
    assert "直接复用" in seed("uni")
    assert seed("uni", "--quiet") == ""
    assert counts(tenant) == before
    with pytest.raises(CommandError, match=f"已有 {N} 名学生.*换一个"):
        seed("uni", students=N + 1)
    with pytest.raises(CommandError, match="换一个"):
        seed("uni", "--seed", "7")
    with pytest.raises(CommandError, match=f"已有 {N} 名学生"):
        seed("uni", "--structure-only")
    assert counts(tenant) == before


def structure(tenant):
    with tenant_scope(tenant):
        return {
            "colleges": sorted(College.objects.values_list("code", "name")),
            "majors": sorted(Major.objects.values_list("code", "name", "college__code")),
            "classes": sorted(SchoolClass.objects.values_list("name", "major__code", "college__code",
                                                              "enrolment_year")),
            "buildings": sorted(Building.objects.values_list("name", flat=True)),
            "floors": sorted(Floor.objects.values_list("building__name", "number")),
            "rooms": sorted(Room.objects.values_list("building__name", "floor__number", "number", "gender",
                                                     "capacity")),
            "terms": sorted(Term.objects.values_list("name", "start", "end")),
            "organisations": sorted(Organisation.objects.values_list("name", "kind", "parent__name",
                                                                     "college__code")),
            "departments": sorted(Department.objects.values_list("organisation__name", "name", "is_presidium")),
            "positions": sorted(Position.objects.values_list("organisation__name", "name", "category")),
        }


def test_structure_only_builds_the_same_structure_and_nobody(uni):
    tenant, _output = uni
    assert "仅结构" in seed("shell", "--structure-only")
    shell = Tenant.objects.get(slug="shell")
    assert structure(shell) == structure(tenant)
    with tenant_scope(shell):
        for model in (Person, AcademicStanding, DisciplinaryRecord, Membership):
            assert not model.objects.exists()
    before = counts(shell)
    assert "直接复用" in seed("shell", "--structure-only")
    assert counts(shell) == before
    with pytest.raises(CommandError, match=f"已有 0 名学生，与要求的 {N} 名不同"):
        seed("shell")


def test_an_empty_existing_tenant_is_filled_and_a_bad_code_is_refused(db):
    TenantFactory(slug="blank")
    seed("blank", students=40)
    with tenant_scope(Tenant.objects.get(slug="blank")):
        assert Person.objects.count() == 40
    with pytest.raises(CommandError, match="不可用"):
        seed("Not-A-Slug")
    with pytest.raises(CommandError, match="至少为 1"):
        seed("zero", students=0)
    assert not Tenant.objects.filter(slug__in=["Not-A-Slug", "zero"]).exists()


def test_keys_are_read_back_where_the_backend_does_not_return_them(db, monkeypatch):
    original = QuerySet.bulk_create

    def without_keys(self, objs, *args, **kwargs):
        created = original(self, objs, *args, **kwargs)
        for obj in objs:
            obj.pk = None
        return created

    monkeypatch.setattr(QuerySet, "bulk_create", without_keys)
    seed("nokeys", students=60)
    tenant = Tenant.objects.get(slug="nokeys")
    with tenant_scope(tenant):
        assert Person.objects.count() == 60 and AcademicStanding.objects.count() == 60
        assert not Person.objects.filter(room=None).exists()


# --- the plan, without the database ---


def test_the_plan_is_a_function_of_size_and_seed_and_scales_the_colleges():
    assert university.plan_structure(500, 3) == university.plan_structure(500, 3)
    assert university.plan_structure(500, 3) != university.plan_structure(500, 4)
    big = university.plan_structure(60_000)
    assert len(big.colleges) == 40 and len({c.name for c in big.colleges}) == 40
    assert len({k.name for k in big.classes}) == len(big.classes)
    assert all(30 <= k.size <= 50 for k in big.classes) and sum(k.size for k in big.classes) == 60_000
    assert 0.8 <= len(big.rooms) / (60_000 / 4) <= 1.2
    assert len({s.number for s in big.seats}) == 60_000
    occupants = Counter(s.room for s in big.seats)
    assert all(big.rooms[room].capacity >= n for room, n in occupants.items())
    assert all(big.rooms[s.room].gender == s.gender for s in big.seats)
    assert all(b.floors in (5, 6) and 15 <= b.rooms_per_floor <= 25 for b in big.buildings)


def test_the_current_term_contains_every_day_and_follows_the_previous_one():
    day = dt.date(2025, 1, 1)
    while day < dt.date(2027, 1, 1):
        previous, current = university.plan_terms(day)
        assert current.start <= day <= current.end
        assert previous.end + dt.timedelta(days=1) == current.start and previous.start < previous.end
        assert current.start.weekday() == 0 and current.start.month in (2, 8, 9)
        day += dt.timedelta(days=1)
