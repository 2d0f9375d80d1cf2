"""Writes of the school's structure (orgs/services.py): terms that never overlap, organisations, departments and
positions; the Django admin writes through them and shows their refusals as form errors."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from members.models import Role
from members.tests.factories import RoleAssignmentFactory
from orgs import services
from orgs.models import Department, Organisation, OrganisationKind, Position, PositionCategory, Term
from orgs.tenancy import scopes_disabled, tenant_scope
from orgs.tests.factories import CollegeFactory, OrganisationFactory, TenantFactory

D = dt.date

pytestmark = pytest.mark.django_db


@pytest.fixture
def tenant():
    return TenantFactory()


@pytest.fixture
def autumn(tenant):
    return services.term_create(tenant=tenant, name="2026秋", start=D(2026, 9, 1), end=D(2027, 1, 17))


def _messages(excinfo) -> str:
    return " ".join(excinfo.value.messages)


# --- terms ---


def test_a_term_starting_the_day_after_another_ends_is_allowed(tenant, autumn):
    spring = services.term_create(tenant=tenant, name="2027春", start=D(2027, 1, 18), end=D(2027, 7, 4))
    with tenant_scope(tenant):
        assert list(Term.objects.order_by("start")) == [autumn, spring]


@pytest.mark.parametrize("start,end", [
    (D(2027, 1, 17), D(2027, 7, 4)),  # starts on the other's last day
    (D(2026, 10, 1), D(2026, 11, 1)),  # inside it
    (D(2026, 8, 1), D(2027, 3, 1)),  # around it
    (D(2026, 6, 1), D(2026, 9, 1)),  # ends on the other's first day
])
def test_an_overlapping_term_is_refused(tenant, autumn, start, end):
    with pytest.raises(ValidationError) as excinfo:
        services.term_create(tenant=tenant, name="重叠学期", start=start, end=end)
    assert "2026秋" in _messages(excinfo) and "重叠" in _messages(excinfo)
    with tenant_scope(tenant):
        assert Term.objects.count() == 1


def test_editing_a_term_into_another_is_refused_and_within_itself_allowed(tenant, autumn):
    spring = services.term_create(tenant=tenant, name="2027春", start=D(2027, 2, 22), end=D(2027, 7, 4))
    with pytest.raises(ValidationError, match="重叠"):
        services.term_update(term=spring, name="2027春", start=D(2027, 1, 10), end=D(2027, 7, 4))
    services.term_update(term=autumn, name="2026-2027学年第一学期", start=D(2026, 8, 31), end=D(2027, 1, 20))
    autumn.refresh_from_db()
    assert (autumn.name, autumn.start, autumn.end) == ("2026-2027学年第一学期", D(2026, 8, 31), D(2027, 1, 20))


def test_a_term_must_end_after_it_starts(tenant):
    with pytest.raises(ValidationError, match="结束日期必须晚于开始日期"):
        services.term_create(tenant=tenant, name="一天", start=D(2026, 9, 1), end=D(2026, 9, 1))


def test_terms_of_another_school_do_not_overlap_ours(tenant, autumn):
    other = TenantFactory()
    services.term_create(tenant=other, name="2026秋", start=D(2026, 9, 1), end=D(2027, 1, 17))


def test_a_term_is_written_only_in_the_open_scope_s_school(tenant):
    other = TenantFactory()
    with tenant_scope(tenant), pytest.raises(ValidationError, match="不属于当前学校"):
        services.term_create(tenant=other, name="2026秋", start=D(2026, 9, 1), end=D(2027, 1, 17))


def test_a_seed_s_planned_terms_are_checked_against_each_other_and_the_stored_ones(tenant, autumn):
    planned = [("2026秋", D(2026, 8, 25), D(2027, 1, 17)), ("2027春", D(2027, 2, 22), D(2027, 7, 4))]
    services.terms_check(tenant=tenant, terms=planned)  # the stored 2026秋 is the one the seed moves
    with pytest.raises(ValidationError, match="重叠"):
        services.terms_check(tenant=tenant, terms=[("2027春", D(2027, 1, 1), D(2027, 7, 4))])
    with pytest.raises(ValidationError, match="重叠"):
        services.terms_check(tenant=TenantFactory(), terms=[*planned, ("夏季学期", D(2027, 7, 4), D(2027, 8, 1))])


# --- organisations, departments, positions ---


def test_an_organisation_with_its_departments_and_positions(tenant):
    college = CollegeFactory(tenant=tenant)
    union = services.organisation_create(tenant=tenant, name="校学生会", kind=OrganisationKind.SCHOOL_UNION)
    branch = services.organisation_create(tenant=tenant, name="院学生会", kind=OrganisationKind.COLLEGE_UNION,
                                          parent=union, college=college)
    office = services.department_create(organisation=branch, name="办公室", order=1)
    head = services.position_create(organisation=branch, name="部长", category=PositionCategory.CADRE, rank=10)
    with pytest.raises(ValidationError, match="已有“办公室”"):
        services.department_create(organisation=branch, name="办公室")
    with pytest.raises(ValidationError, match="已有“部长”"):
        services.position_create(organisation=branch, name="部长", category=PositionCategory.CADRE)
    services.department_create(organisation=union, name="办公室")  # unique within one organisation only
    services.department_update(department=office, name="秘书处", is_presidium=False, order=2)
    services.position_update(position=head, name="部长", category=PositionCategory.CADRE, rank=5)
    with pytest.raises(ValidationError, match="上级组织不能是它自己或它的下级"):
        services.organisation_update(organisation=union, name="校学生会", kind=OrganisationKind.SCHOOL_UNION,
                                     parent=branch, college=None)
    with tenant_scope(tenant):
        assert Department.objects.get(pk=office.pk).name == "秘书处"
        assert Position.objects.get(pk=head.pk).rank == 5
        assert Organisation.objects.get(pk=union.pk).parent is None


def test_structure_of_two_schools_is_refused(tenant):
    other = OrganisationFactory(tenant=TenantFactory())
    with pytest.raises(ValidationError, match="不属于同一所学校"):
        services.organisation_create(tenant=tenant, name="联盟", kind=OrganisationKind.ALLIANCE, parent=other)
    with pytest.raises(ValidationError, match="不属于同一所学校"):
        services.organisation_create(tenant=tenant, name="联盟", kind=OrganisationKind.ALLIANCE,
                                     college=CollegeFactory(tenant=other.tenant))
    with tenant_scope(tenant), pytest.raises(ValidationError, match="不属于当前学校"):
        services.department_create(organisation=other, name="办公室")


# --- the admin ---


@pytest.fixture
def admin_client(client, tenant):
    client.force_login(RoleAssignmentFactory(tenant=tenant, role=Role.TENANT_ADMIN, user__is_staff=True).user)
    return client


def test_the_admin_refuses_an_overlapping_term_with_a_form_error(admin_client, tenant, autumn):
    response = admin_client.post(reverse("admin:orgs_term_add"), {
        "name": "重叠学期", "start": "2027-01-10", "end": "2027-07-04"})
    assert response.status_code == 200
    assert "与学期“2026秋”" in response.content.decode() and "重叠" in response.content.decode()
    with scopes_disabled():
        assert Term.objects.filter(tenant=tenant).count() == 1


def test_a_refusal_at_save_time_is_a_message_not_a_500(admin_client, tenant, autumn, monkeypatch):
    """Two admins add overlapping terms at once: both forms pass, the second save is refused by the service
    (under the school's row lock). Simulated here by a term that appears between the form's check and the save."""
    real_create = services.term_create

    def create_after_a_rival(**fields):
        real_create(tenant=tenant, name="另一位管理员的学期", start=D(2027, 2, 1), end=D(2027, 6, 30))
        return real_create(**fields)

    monkeypatch.setattr(services, "term_create", create_after_a_rival)
    response = admin_client.post(reverse("admin:orgs_term_add"), {
        "name": "2027春", "start": "2027-01-18", "end": "2027-07-04"}, follow=True)
    assert response.status_code == 200
    assert "另一位管理员的学期" in response.content.decode() and "重叠" in response.content.decode()
    with scopes_disabled():  # the admin's transaction rolled back: neither term was saved
        assert list(Term.objects.filter(tenant=tenant).values_list("name", flat=True)) == ["2026秋"]


def test_the_admin_adds_and_edits_a_term_through_the_service(admin_client, tenant, autumn):
    response = admin_client.post(reverse("admin:orgs_term_add"), {
        "name": "2027春", "start": "2027-01-18", "end": "2027-07-04"})
    assert response.status_code == 302
    with scopes_disabled():
        spring = Term.objects.get(tenant=tenant, name="2027春")
    response = admin_client.post(reverse("admin:orgs_term_change", args=[spring.pk]), {
        "name": "2027春", "start": "2027-01-17", "end": "2027-07-04"})
    assert response.status_code == 200 and "重叠" in response.content.decode()
    response = admin_client.post(reverse("admin:orgs_term_change", args=[spring.pk]), {
        "name": "2027春", "start": "2027-02-22", "end": "2027-07-04"})
    assert response.status_code == 302
    spring.refresh_from_db()
    assert spring.start == D(2027, 2, 22)


def test_the_admin_keeps_a_department_in_its_organisation(admin_client, tenant):
    organisation = OrganisationFactory(tenant=tenant)
    department = services.department_create(organisation=organisation, name="宣传部")
    other = OrganisationFactory(tenant=tenant)
    response = admin_client.post(reverse("admin:orgs_department_change", args=[department.pk]), {
        "organisation": other.pk, "name": "宣传中心", "order": 3})
    assert response.status_code == 302
    department.refresh_from_db()
    assert (department.organisation_id, department.name, department.order) == (organisation.pk, "宣传中心", 3)

