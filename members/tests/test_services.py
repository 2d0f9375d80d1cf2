"""Memberships with history and role assignments (OR-3, "Who uses it"): members/services.py."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from members import services
from members.models import ROLE_ALT_SCOPE, ROLE_SCOPE, Membership, Person, Role, RoleAssignment, Scope, User
from members.tests.factories import MembershipFactory, PersonFactory, RoleAssignmentFactory, UserFactory
from orgs.models import PositionCategory
from orgs.tenancy import scopes_disabled, tenant_scope
from orgs.tests.factories import (
    BuildingFactory,
    CollegeFactory,
    DepartmentFactory,
    FloorFactory,
    OrganisationFactory,
    PositionFactory,
    RoomFactory,
    SchoolClassFactory,
    TenantFactory,
    TermFactory,
)

D = dt.date


def _messages(excinfo) -> str:
    return " ".join(excinfo.value.messages)


@pytest.fixture
def tenant(db):
    return TenantFactory()


@pytest.fixture
def scoped(tenant):
    with tenant_scope(tenant):
        yield tenant


@pytest.fixture
def school(scoped):
    """One organisation of one school, with two departments, an officer's and a head's position, a term."""
    tenant = scoped
    organisation = OrganisationFactory(tenant=tenant)
    return {
        "tenant": tenant,
        "organisation": organisation,
        "office": DepartmentFactory(tenant=tenant, organisation=organisation, name="办公室"),
        "study": DepartmentFactory(tenant=tenant, organisation=organisation, name="学习部"),
        "officer": PositionFactory(tenant=tenant, organisation=organisation, name="干事"),
        "head": PositionFactory(
            tenant=tenant, organisation=organisation, name="部长", category=PositionCategory.CADRE, rank=10
        ),
        "term": TermFactory(tenant=tenant, start=D(2026, 9, 7), end=D(2027, 1, 17)),
        "person": PersonFactory(tenant=tenant),
    }


def _join(school, **overrides):
    kwargs = {
        "person": school["person"], "organisation": school["organisation"], "department": school["office"],
        "position": school["officer"], "term": school["term"], "start": D(2026, 9, 10),
    }
    return services.membership_join(**{**kwargs, **overrides})


# --- memberships ---


def test_join_change_leave_keeps_the_whole_history(school):
    joined = _join(school)
    promoted = services.membership_change_position(
        membership=joined, position=school["head"], department=school["study"], on=D(2026, 11, 1), reason="换届"
    )
    left = services.membership_leave(membership=promoted, on=D(2026, 12, 31), reason="毕业")

    rows = list(Membership.objects.filter(person=school["person"]).order_by("start"))
    assert len(rows) == 2  # join + change make two rows; leaving closes the second
    first, second = rows
    # The first row keeps what it was: officer of the office, 10 Sep → 31 Oct.
    assert (first.position, first.department, first.start, first.end) == (
        school["officer"], school["office"], D(2026, 9, 10), D(2026, 10, 31)
    )
    assert first.end_reason == "换届"
    assert (second.position, second.department, second.start, second.end) == (
        school["head"], school["study"], D(2026, 11, 1), D(2026, 12, 31)
    )
    assert second.end_reason == "毕业" and left.pk == second.pk
    assert joined.end == D(2026, 10, 31)  # the caller's object is brought up to date


def test_two_changes_and_a_leave_make_three_rows_all_closed_and_none_rewritten(school):
    joined = _join(school)
    second = services.membership_change_position(
        membership=joined, position=school["head"], department=school["office"], on=D(2026, 10, 1)
    )
    third = services.membership_change_position(
        membership=second, position=school["officer"], department=school["study"], on=D(2026, 11, 1)
    )
    services.membership_leave(membership=third, on=D(2026, 12, 1), reason="退出")

    rows = list(Membership.objects.filter(person=school["person"]).order_by("start"))
    assert [(r.start, r.end) for r in rows] == [
        (D(2026, 9, 10), D(2026, 9, 30)),
        (D(2026, 10, 1), D(2026, 10, 31)),
        (D(2026, 11, 1), D(2026, 12, 1)),
    ]
    assert [r.position.name for r in rows] == ["干事", "部长", "干事"]
    assert [r.department.name for r in rows] == ["办公室", "办公室", "学习部"]
    assert [r.end_reason for r in rows] == ["职务变动", "职务变动", "退出"]
    assert not any(r.is_current for r in rows)


def test_join_then_change_then_leave_gives_three_rows_two_closed_with_a_rejoin(school):
    """History: join → change → leave → join again gives 3 rows, 2 closed; nothing is overwritten."""
    joined = _join(school)
    changed = services.membership_change_position(
        membership=joined, position=school["head"], department=school["office"], on=D(2026, 10, 1)
    )
    services.membership_leave(membership=changed, on=D(2026, 10, 31), reason="个人原因")
    _join(school, start=D(2026, 12, 1))
    rows = Membership.objects.filter(person=school["person"])
    assert rows.count() == 3
    assert rows.filter(end__isnull=False).count() == 2
    assert rows.get(end__isnull=True).start == D(2026, 12, 1)


def test_joining_twice_while_current_is_refused(school):
    _join(school)
    with pytest.raises(ValidationError) as excinfo:
        _join(school, department=school["study"], start=D(2026, 10, 1))
    assert "已是" in _messages(excinfo)
    assert Membership.objects.count() == 1


def test_joining_again_before_the_last_membership_ended_is_refused(school):
    services.membership_leave(membership=_join(school), on=D(2026, 10, 31), reason="个人原因")
    with pytest.raises(ValidationError):
        _join(school, start=D(2026, 10, 31))
    assert _join(school, start=D(2026, 11, 1)).is_current


def test_the_same_person_may_belong_to_two_organisations(school):
    _join(school)
    other = OrganisationFactory(tenant=school["tenant"])
    position = PositionFactory(tenant=school["tenant"], organisation=other)
    membership = _join(school, organisation=other, department=None, position=position)
    assert membership.department is None and membership.is_current


def test_a_department_of_another_organisation_is_refused(school):
    other = DepartmentFactory(tenant=school["tenant"])
    with pytest.raises(ValidationError) as excinfo:
        _join(school, department=other)
    assert "department" in excinfo.value.message_dict
    assert "不属于组织" in _messages(excinfo)
    assert not Membership.objects.exists()


def test_a_position_of_another_organisation_is_refused(school):
    with pytest.raises(ValidationError) as excinfo:
        _join(school, position=PositionFactory(tenant=school["tenant"]))
    assert "position" in excinfo.value.message_dict


def test_objects_of_another_school_are_refused(school):
    other_tenant = TenantFactory()
    with scopes_disabled():
        stranger = PersonFactory(tenant=other_tenant)
        other_term = TermFactory(tenant=other_tenant)
    with pytest.raises(ValidationError) as excinfo:
        _join(school, person=stranger)
    assert "同一所学校" in _messages(excinfo)
    with pytest.raises(ValidationError):
        _join(school, term=other_term)
    with scopes_disabled():
        assert not Membership.objects.exists()


def test_objects_of_another_school_than_the_open_scope_are_refused(school):
    other_tenant = TenantFactory()
    with scopes_disabled():
        organisation = OrganisationFactory(tenant=other_tenant)
        kwargs = {
            "person": PersonFactory(tenant=other_tenant), "organisation": organisation,
            "department": DepartmentFactory(tenant=other_tenant, organisation=organisation),
            "position": PositionFactory(tenant=other_tenant, organisation=organisation),
            "term": TermFactory(tenant=other_tenant), "start": D(2026, 9, 10),
        }
    with pytest.raises(ValidationError) as excinfo:  # we are in school["tenant"]'s scope
        services.membership_join(**kwargs)
    assert "当前学校" in _messages(excinfo)
    with tenant_scope(other_tenant):  # in its own school's scope the same call works
        assert services.membership_join(**kwargs).tenant_id == other_tenant.pk


def test_a_start_after_the_term_is_refused(school):
    with pytest.raises(ValidationError):
        _join(school, start=D(2027, 2, 1))


def test_change_of_position_needs_a_later_date_and_a_change(school):
    joined = _join(school)
    with pytest.raises(ValidationError):
        services.membership_change_position(
            membership=joined, position=school["head"], department=school["office"], on=D(2026, 9, 10)
        )
    with pytest.raises(ValidationError) as excinfo:
        services.membership_change_position(
            membership=joined, position=school["officer"], department=school["office"], on=D(2026, 10, 1)
        )
    assert "没有变化" in _messages(excinfo)
    joined.refresh_from_db()
    assert joined.is_current and Membership.objects.count() == 1


def test_change_of_position_to_another_organisations_position_is_refused(school):
    joined = _join(school)
    with pytest.raises(ValidationError):
        services.membership_change_position(
            membership=joined, position=PositionFactory(tenant=school["tenant"]), department=school["office"],
            on=D(2026, 10, 1),
        )
    joined.refresh_from_db()
    assert joined.is_current


def test_change_of_position_picks_the_term_of_its_date(school):
    spring = TermFactory(tenant=school["tenant"], start=D(2027, 2, 22), end=D(2027, 7, 4))
    joined = _join(school)
    successor = services.membership_change_position(
        membership=joined, position=school["head"], department=school["office"], on=D(2027, 3, 1)
    )
    assert successor.term == spring
    with pytest.raises(ValidationError) as excinfo:  # in the winter break no term holds the date
        services.membership_change_position(
            membership=successor, position=school["officer"], department=school["office"], on=D(2027, 8, 1)
        )
    assert "term" in excinfo.value.message_dict


def test_a_closed_membership_cannot_change_or_leave_again(school):
    left = services.membership_leave(membership=_join(school), on=D(2026, 10, 1), reason="退出")
    with pytest.raises(ValidationError):
        services.membership_leave(membership=left, on=D(2026, 11, 1), reason="退出")
    with pytest.raises(ValidationError):
        services.membership_change_position(
            membership=left, position=school["head"], department=school["office"], on=D(2026, 11, 1)
        )
    assert Membership.objects.get().end == D(2026, 10, 1)


def test_leaving_needs_a_reason_and_a_date_not_before_the_start(school):
    joined = _join(school)
    with pytest.raises(ValidationError) as excinfo:
        services.membership_leave(membership=joined, on=D(2026, 10, 1), reason="  ")
    assert "原因" in _messages(excinfo)
    with pytest.raises(ValidationError):
        services.membership_leave(membership=joined, on=D(2026, 9, 9), reason="退出")
    # Leaving on the day of joining is a one-day membership.
    assert services.membership_leave(membership=joined, on=D(2026, 9, 10), reason="退出").end == D(2026, 9, 10)


def test_one_current_membership_per_organisation_is_enforced_by_the_database(scoped):
    """The partial unique constraint membership_one_current_per_org (SQLite and PostgreSQL alike)."""
    current = MembershipFactory(tenant=scoped)
    same = {
        "tenant": scoped, "person": current.person, "organisation": current.organisation,
        "department": current.department, "position": current.position, "term": current.term,
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(**same, start=D(2026, 10, 1))
    # Closed rows do not count: any number of them beside one current row.
    Membership.objects.create(**same, start=D(2026, 1, 1), end=D(2026, 3, 1))
    Membership.objects.create(**same, start=D(2026, 4, 1), end=D(2026, 6, 1))
    assert Membership.objects.filter(person=current.person).count() == 3
    # Another organisation's current row is fine too.
    MembershipFactory(tenant=scoped, person=current.person)


def test_membership_end_before_start_is_refused_by_the_database(scoped):
    current = MembershipFactory(tenant=scoped)
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.filter(pk=current.pk).update(end=D(2026, 9, 1))


# --- roles ---


@pytest.fixture
def scopes(school):
    tenant = school["tenant"]
    school_class = SchoolClassFactory(tenant=tenant)
    return {
        Scope.TENANT: None,
        Scope.COLLEGE: school_class.college,
        Scope.CLASS: school_class,
        Scope.ORGANISATION: school["organisation"],
        Scope.DEPARTMENT: school["office"],
        Scope.ROOM: RoomFactory(tenant=tenant),
    }


@pytest.mark.parametrize("role", Role.values)
def test_every_role_can_be_assigned_on_its_scope_and_only_there(school, scopes, role):
    user = UserFactory(tenant=school["tenant"], person=school["person"])
    allowed = {ROLE_SCOPE[role], ROLE_ALT_SCOPE.get(role)} - {None}
    for scope, target in scopes.items():
        if scope in allowed:
            assignment = services.role_assign(user=user, role=role, scope_object=target, start=D(2026, 9, 1))
            assert assignment.scope_object == target and assignment.tenant_id == school["tenant"].pk
        else:
            with pytest.raises(ValidationError) as excinfo:
                services.role_assign(user=user, role=role, scope_object=target, start=D(2026, 9, 1))
            assert "只能授予" in _messages(excinfo)
    assert RoleAssignment.objects.filter(user=user).count() == len(allowed)


def test_a_school_wide_role_may_name_the_tenant_itself(school):
    user = UserFactory(tenant=school["tenant"])
    assignment = services.role_assign(
        user=user, role=Role.TENANT_ADMIN, scope_object=school["tenant"], start=D(2026, 9, 1)
    )
    assert assignment.scope_object is None
    with pytest.raises(ValidationError):
        services.role_assign(user=user, role=Role.TENANT_ADMIN, scope_object=TenantFactory(), start=D(2026, 9, 1))


def test_a_scope_object_that_is_no_scope_is_refused(school):
    user = UserFactory(tenant=school["tenant"])
    with pytest.raises(ValidationError):
        services.role_assign(user=user, role=Role.OFFICE, scope_object=school["officer"], start=D(2026, 9, 1))
    with pytest.raises(ValidationError):
        services.role_assign(user=user, role=Role.OFFICE, scope_object=BuildingFactory(tenant=school["tenant"]),
                             start=D(2026, 9, 1))


def test_an_unknown_role_is_refused(school):
    with pytest.raises(ValidationError):
        services.role_assign(user=UserFactory(tenant=school["tenant"]), role="pope", start=D(2026, 9, 1))


def test_user_scope_and_tenant_must_agree(school):
    other_tenant = TenantFactory()
    with scopes_disabled():
        stranger = UserFactory(tenant=other_tenant)
        foreign_org = OrganisationFactory(tenant=other_tenant)
    user = UserFactory(tenant=school["tenant"])
    with pytest.raises(ValidationError):
        services.role_assign(user=user, role=Role.OFFICE, scope_object=foreign_org, start=D(2026, 9, 1))
    with pytest.raises(ValidationError):
        services.role_assign(user=stranger, role=Role.OFFICE, scope_object=school["organisation"], start=D(2026, 9, 1))
    with pytest.raises(ValidationError):  # the stranger's own school is not the open scope
        services.role_assign(user=stranger, role=Role.TENANT_ADMIN, start=D(2026, 9, 1))
    with scopes_disabled():
        assert not RoleAssignment.objects.exists()


def test_a_platform_admin_gets_no_school_role(school):
    admin = UserFactory(tenant=None, person=None, is_platform_admin=True)
    with pytest.raises(ValidationError):
        services.role_assign(user=admin, role=Role.TENANT_ADMIN, start=D(2026, 9, 1))


def test_the_same_role_twice_over_the_same_time_is_refused(school):
    user = UserFactory(tenant=school["tenant"])
    office = dict(user=user, role=Role.OFFICE, scope_object=school["organisation"])
    services.role_assign(**office, start=D(2026, 9, 1), end=D(2026, 12, 31))
    with pytest.raises(ValidationError):
        services.role_assign(**office, start=D(2026, 12, 1))
    # After it ended, or over another organisation, it may be granted again.
    services.role_assign(**office, start=D(2027, 1, 1))
    services.role_assign(
        user=user, role=Role.OFFICE, scope_object=OrganisationFactory(tenant=school["tenant"]), start=D(2026, 9, 1)
    )
    with pytest.raises(ValidationError):
        services.role_assign(**{**office, "start": D(2027, 3, 1)}, end=D(2027, 2, 1))  # end before start


def test_role_end_sets_the_last_day(school):
    user = UserFactory(tenant=school["tenant"])
    assignment = services.role_assign(user=user, role=Role.TENANT_ADMIN, start=D(2026, 9, 1))
    with pytest.raises(ValidationError):
        services.role_end(assignment=assignment, on=D(2026, 8, 31))
    services.role_end(assignment=assignment, on=D(2026, 12, 31))
    assignment.refresh_from_db()
    assert assignment.end == D(2026, 12, 31)
    assert assignment.is_current(D(2026, 12, 31)) and not assignment.is_current(D(2027, 1, 1))
    with pytest.raises(ValidationError):
        services.role_end(assignment=assignment, on=D(2027, 1, 5))
    services.role_end(assignment=assignment, on=D(2026, 12, 1))  # shortening a future end is allowed
    assignment.refresh_from_db()
    assert assignment.end == D(2026, 12, 1)


def test_the_database_refuses_a_role_on_the_wrong_scope(scoped):
    """The check constraint role_scope_matches_role, for rows written without the service."""
    base = RoleAssignmentFactory(tenant=scoped)
    college = CollegeFactory(tenant=scoped)
    organisation = OrganisationFactory(tenant=scoped)
    bad_rows = [
        {"role": Role.TENANT_ADMIN, "college": college},  # a school-wide role with a scope
        {"role": Role.OFFICE},  # an organisation role without its organisation
        {"role": Role.OFFICE, "college": college},  # on the wrong kind of scope
        {"role": Role.OFFICE, "organisation": organisation, "college": college},  # on two scopes
        {"role": Role.ROOM_INFORMANT, "room": RoomFactory(tenant=scoped, floor=FloorFactory(tenant=scoped)),
         "organisation": organisation},
    ]
    for row in bad_rows:
        with pytest.raises(IntegrityError), transaction.atomic():
            RoleAssignment.objects.create(tenant=scoped, user=base.user, start=D(2026, 9, 1), **row)
    # The right shapes pass, including a counsellor of a whole college (the alternative scope).
    RoleAssignment.objects.create(tenant=scoped, user=base.user, role=Role.OFFICE, organisation=organisation,
                                  start=D(2026, 9, 1))
    RoleAssignment.objects.create(tenant=scoped, user=base.user, role=Role.COUNSELLOR, college=college,
                                  start=D(2026, 9, 1))
    assert RoleAssignment.objects.filter(user=base.user).count() == 3


# --- people and their accounts ---


def _person_fields(klass, **changes):
    major = klass.major
    return {"number": "2026000001", "name": "张三", "gender": "F", "college": major.college, "major": major,
            "school_class": klass, "enrolment_year": klass.enrolment_year, **changes}


def test_a_person_is_created_and_updated_with_a_consistent_place(tenant):
    klass = SchoolClassFactory(tenant=tenant)
    room = RoomFactory(tenant=tenant, gender="F")
    person = services.person_create(tenant=tenant, room=room, **_person_fields(klass))
    assert (person.tenant_id, person.college_id, person.room_id) == (tenant.pk, klass.college_id, room.pk)
    services.person_update(person=person, kind=person.kind, room=None, political_status=person.political_status,
                           **_person_fields(klass, name="张三丰"))
    person.refresh_from_db()
    assert (person.name, person.room_id) == ("张三丰", None)


def test_a_person_s_number_is_unique_in_the_school_only(tenant):
    klass = SchoolClassFactory(tenant=tenant)
    services.person_create(tenant=tenant, **_person_fields(klass))
    with pytest.raises(ValidationError) as excinfo:
        services.person_create(tenant=tenant, **_person_fields(klass, name="李四"))
    assert excinfo.value.message_dict["number"] == ["学号/工号“2026000001”在本校已存在。"]
    other = TenantFactory()
    services.person_create(tenant=other, **_person_fields(SchoolClassFactory(tenant=other)))


def test_a_person_s_college_major_class_and_room_must_agree(tenant):
    klass, other_class = SchoolClassFactory(tenant=tenant), SchoolClassFactory(tenant=tenant)
    cases = [
        ({"major": other_class.major}, "major"),
        ({"school_class": other_class, "major": None}, "school_class"),
        ({"enrolment_year": klass.enrolment_year + 1}, "enrolment_year"),
        ({"room": RoomFactory(tenant=tenant, gender="M")}, "room"),
    ]
    for changes, field in cases:
        with pytest.raises(ValidationError) as excinfo:
            services.person_create(tenant=tenant, **_person_fields(klass, **changes))
        assert field in excinfo.value.message_dict, changes


def test_a_person_of_another_school_s_class_is_refused(tenant):
    with pytest.raises(ValidationError, match="不属于同一所学校"):
        services.person_create(tenant=tenant, **_person_fields(SchoolClassFactory()))


def test_an_account_for_a_person(tenant):
    person = PersonFactory(tenant=tenant)
    user = services.account_create(tenant=tenant, person=person, username="zhangsan", password="correct horse 7")
    assert (user.tenant_id, user.person_id, user.check_password("correct horse 7")) == (tenant.pk, person.pk, True)
    bare = services.account_create(tenant=tenant, username="teacher_li")
    assert not bare.has_usable_password() and bare.person_id is None


def test_account_rules(tenant):
    person = PersonFactory(tenant=tenant, number="2026000009")
    services.account_create(tenant=tenant, person=person, username="zhangsan")
    for username, field in (("2026000009", "username"), ("12345", "username"), ("zhangsan", "username"),
                            (" ", "username")):
        with pytest.raises(ValidationError) as excinfo:
            services.account_create(tenant=tenant, person=PersonFactory(tenant=tenant), username=username)
        assert field in excinfo.value.message_dict, username
    with pytest.raises(ValidationError) as excinfo:
        services.account_create(tenant=tenant, person=person, username="zhangsan2")  # one account per person
    assert "已有登录账号" in excinfo.value.message_dict["person"][0]


def test_an_account_for_another_school_s_person_is_refused(tenant):
    with pytest.raises(ValidationError, match="不属于同一所学校"):
        services.account_create(tenant=tenant, person=PersonFactory(), username="stranger")
    with tenant_scope(tenant), pytest.raises(ValidationError, match="不属于当前学校"):
        other = TenantFactory()
        services.account_create(tenant=other, username="stranger")


def _admin_client(client, tenant):
    client.force_login(RoleAssignmentFactory(tenant=tenant, role=Role.TENANT_ADMIN, user__is_staff=True).user)
    return client


def test_the_admin_adds_a_person_through_the_service_and_shows_its_refusals(client, tenant):
    klass, other = SchoolClassFactory(tenant=tenant), SchoolClassFactory(tenant=tenant)
    form = {"number": "2026000001", "name": "张三", "kind": "student", "gender": "F",
            "college": klass.college_id, "major": klass.major_id, "school_class": other.pk,
            "enrolment_year": klass.enrolment_year, "political_status": "masses"}
    response = _admin_client(client, tenant).post(reverse("admin:members_person_add"), form)
    assert response.status_code == 200 and "该班级不属于所选专业。" in response.content.decode()
    response = client.post(reverse("admin:members_person_add"), {**form, "school_class": klass.pk})
    assert response.status_code == 302
    with tenant_scope(tenant):
        assert Person.objects.get(number="2026000001").school_class_id == klass.pk


def test_the_admin_adds_an_account_through_the_service(client, tenant):
    person = PersonFactory(tenant=tenant)
    response = _admin_client(client, tenant).post(reverse("admin:members_user_add"), {
        "username": "zhangsan", "person": person.pk, "usable_password": "false"})
    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(username="zhangsan")
    assert (user.tenant_id, user.person_id, user.has_usable_password()) == (tenant.pk, person.pk, False)
