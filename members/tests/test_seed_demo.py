"""seed_demo (issue 2, item 7): idempotent, one login per persona, generated names, consistent rooms."""

import datetime as dt
from io import StringIO
from types import SimpleNamespace
from unittest import mock

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F
from django.test import override_settings
from django_scopes import scopes_disabled

from members.models import Membership, Person, PersonKind, PoliticalStatus, Role, RoleAssignment, User
from orgs.calendar import school_tz
from orgs.models import Department, Organisation, OrganisationKind, Room, Tenant, Term

pytestmark = pytest.mark.django_db

# The real students named in seed 000, as written there and simplified: never demo data.
REAL_NAMES = (
    "樂霽穎", "田小艷", "曾穎", "富紹鑫", "魏暢", "劉思嘉", "郭建明", "韋欣麗", "王玉鳳", "陳盈", "周雪菲", "趙鈺禎",
    "徐子棟", "高偉嶺", "彭嫦媚", "劉洪強", "趙粵", "王吉",
    "乐霁颖", "田小艳", "曾颖", "富绍鑫", "魏畅", "刘思嘉", "韦欣丽", "王玉凤", "陈盈", "赵钰祯", "徐子栋", "高伟岭",
    "刘洪强", "赵粤",
)

#: username -> (tenant slug or None, roles it must hold)
ACCOUNTS = {
    "platform": (None, set()),
    "hut_admin": ("hut", {Role.TENANT_ADMIN}),
    "hut_office": ("hut", {Role.OFFICE}),
    "hut_head": ("hut", {Role.DEPARTMENT_HEAD}),
    "hut_president": ("hut", {Role.PRESIDENT}),
    "hut_officer": ("hut", set()),
    "hut_counsellor": ("hut", {Role.COUNSELLOR}),
    "hut_teacher": ("hut", {Role.CLASS_TEACHER}),
    "hut_centre": ("hut", {Role.CENTRE_STAFF}),
    "hut_psychcommittee": ("hut", {Role.PSYCH_COMMITTEE}),
    "hut_informant": ("hut", {Role.ROOM_INFORMANT}),
    "jsu_admin": ("jsu", {Role.TENANT_ADMIN}),
    "jsu_secretary": ("jsu", {Role.BRANCH_SECRETARY}),
    "jsu_partymember": ("jsu", {Role.PARTY_MEMBER}),
    "jsu_counsellor": ("jsu", {Role.COUNSELLOR}),
    "jsu_committee": ("jsu", {Role.COLLEGE_PARTY_COMMITTEE}),
    "jsu_student": ("jsu", set()),
}
TODAY = dt.date(2026, 11, 22)  # the clock while seeding: the demo's calendar is counted from it


def _counts():
    with scopes_disabled():
        return {
            model._meta.label: model._default_manager.count()
            for label in ("orgs", "members")
            for model in apps.get_app_config(label).get_models()
        }


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """Runs the command twice on ``TODAY`` for the whole module, inside a transaction rolled back at the end."""
    moment = dt.datetime.combine(TODAY, dt.time(20, 0), school_tz())
    with django_db_blocker.unblock(), override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    ), transaction.atomic():
        with mock.patch("django.utils.timezone.now", return_value=moment):
            call_command("seed_demo", "--quiet", force_known_password=True)
            first = _counts()
            output = StringIO()
            call_command("seed_demo", stdout=output, force_known_password=True)
        yield SimpleNamespace(first=first, second=_counts(), output=output.getvalue())
        transaction.set_rollback(True)


def test_running_twice_gives_the_same_rows(seeded):
    assert seeded.first == seeded.second
    assert seeded.first["orgs.Tenant"] == 2
    assert seeded.first["members.Person"] > 500


def test_every_demo_account_exists_with_its_role_and_tenant(seeded):
    with scopes_disabled():
        users = {u.username: u for u in User.objects.filter(username__in=ACCOUNTS).select_related("tenant")}
        assert set(users) == set(ACCOUNTS)
        for username, (slug, roles) in ACCOUNTS.items():
            user = users[username]
            assert (user.tenant.slug if user.tenant else None) == slug, username
            held = set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
            assert held == roles, username
            assert user.check_password(settings.DEMO_PASSWORD), username
            assert user.is_superuser is False
            if slug is not None:
                assert user.person is not None and user.person.tenant_id == user.tenant_id, username
                term = Term.objects.get(tenant=user.tenant, start__lte=TODAY, end__gte=TODAY)
                assert set(RoleAssignment.objects.filter(user=user).values_list("start", flat=True)) <= {term.start}
    assert users["platform"].is_platform_admin and users["platform"].is_staff and users["platform"].tenant is None
    assert users["hut_admin"].is_staff and users["jsu_admin"].is_staff
    assert not any(users[name].is_staff for name in ACCOUNTS if not name.endswith("admin") and name != "platform")
    for username in ACCOUNTS:
        assert username in seeded.output
    assert settings.DEMO_PASSWORD in seeded.output


def test_personas_sit_where_their_roles_say(seeded):
    with scopes_disabled():
        hut, jsu = Tenant.objects.get(slug="hut"), Tenant.objects.get(slug="jsu")
        assert sorted(hut.modules) == ["alliance", "psych_network"] and jsu.modules == ["dormlink"]
        alliance = Organisation.objects.get(tenant=hut, kind=OrganisationKind.ALLIANCE)
        president = User.objects.get(username="hut_president")
        presidency = Membership.objects.get(person=president.person, organisation=alliance, end=None)
        assert presidency.position.name == "总部长"
        officer = User.objects.get(username="hut_officer")
        assert Membership.objects.get(person=officer.person, end=None).position.category == "officer"
        head = RoleAssignment.objects.get(user__username="hut_head")
        assert Membership.objects.get(person=head.user.person, end=None).department_id == head.department_id
        member = User.objects.get(username="jsu_partymember").person
        assert member.political_status == PoliticalStatus.PARTY_MEMBER
        branch = Organisation.objects.get(tenant=jsu, kind=OrganisationKind.PARTY_BRANCH)
        assert Membership.objects.filter(person=member, organisation=branch, end=None).exists()
        assert RoleAssignment.objects.get(user__username="jsu_secretary").organisation_id == branch.pk


def test_the_alliance_has_six_departments_with_cadres_and_officers(seeded):
    with scopes_disabled():
        alliance = Organisation.objects.get(tenant__slug="hut", kind=OrganisationKind.ALLIANCE)
        departments = list(Department.objects.filter(organisation=alliance).order_by("order"))
        assert [d.name for d in departments] == ["主席团", "办公室", "宣传部", "活动部", "培训部", "外联部"]
        assert [d.is_presidium for d in departments] == [True] + [False] * 5
        current = Membership.objects.filter(organisation=alliance, end=None)
        assert current.filter(department=departments[0]).count() == 3
        for department in departments[1:]:
            rows = current.filter(department=department)
            assert rows.filter(position__name="部长").count() == 1
            assert rows.filter(position__name="副部长").count() == 1
            assert 5 <= rows.filter(position__category="officer").count() <= 8
        assert Membership.objects.filter(organisation=alliance, end__isnull=False).exists()  # history is kept


def test_terms_standings_and_discipline(seeded):
    with scopes_disabled():
        for slug in ("hut", "jsu"):
            terms = Term.objects.filter(tenant__slug=slug)
            assert terms.filter(start__lte=TODAY, end__gte=TODAY).count() == 1
            previous = terms.filter(end__lt=TODAY).get()
            students = Person.objects.filter(tenant__slug=slug, kind=PersonKind.STUDENT)
            before = students.filter(enrolment_year__lt=previous.start.year)
            assert before.exists()
            assert before.exclude(standings__term=previous).count() == 0
        assert Person.objects.filter(tenant__slug="hut", discipline__isnull=False).distinct().count() == 2


def test_no_real_name_from_seed_000(seeded):
    with scopes_disabled():
        rows = list(Person.objects.values_list("tenant_id", "name"))
    assert len(rows) == len(set(rows))  # distinct within a school, so demo people are easy to find
    names = [name for _tenant, name in rows]
    assert not [name for name in names if any(real in name for real in REAL_NAMES)]


def test_rooms_hold_their_gender_within_capacity(seeded):
    with scopes_disabled():
        assert Person.objects.exclude(room=None).exclude(room__gender=F("gender")).count() == 0
        assert not Room.objects.annotate(n=Count("residents")).filter(n__gt=F("capacity")).exists()
        assert not Person.objects.filter(kind=PersonKind.STUDENT, room=None).exists()


def test_party_statuses_are_a_small_share_at_jsu(seeded):
    with scopes_disabled():
        students = Person.objects.filter(tenant__slug="jsu", kind=PersonKind.STUDENT)
        party = students.filter(political_status__in=[
            PoliticalStatus.PARTY_MEMBER, PoliticalStatus.PROBATIONARY, PoliticalStatus.DEVELOPMENT
        ]).count()
        assert 0.03 <= party / students.count() <= 0.08
        holders = RoleAssignment.objects.filter(tenant__slug="jsu", role=Role.PARTY_MEMBER)
        assert holders.count() == party


def test_only_demo_accounts_have_a_password_and_only_role_holders_have_accounts(seeded):
    with scopes_disabled():
        usable = {u.username for u in User.objects.all() if u.has_usable_password()}
        assert usable == set(ACCOUNTS)
        others = User.objects.exclude(username__in=ACCOUNTS)
        assert others.exists()
        assert not others.filter(role_assignments=None).exists()  # an account only for a holder of a role
        assert not others.filter(is_staff=True).exists()
        students = Person.objects.filter(kind=PersonKind.STUDENT)
        without = students.filter(user=None).count()
        assert without > 0.6 * students.count()  # ordinary students have no account at all
