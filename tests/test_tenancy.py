"""Tenancy (DESIGN "Tenancy", SPEC OR-5): scoped queries on every tenant-owned model, the database's own
indexes, the middleware, module switches and tenant tasks."""

import dataclasses
import json

import pytest
import rules
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.http import Http404, JsonResponse
from django.test import RequestFactory, override_settings
from django.urls import reverse
from django_scopes import ScopeError, get_scope

from members.models import Person, Role
from members.selectors import people_visible_to
from members.tests.factories import RoleAssignmentFactory, UserFactory
from orgs import modules
from orgs.context_processors import menu_for, navigation
from orgs.middleware import TenantMiddleware
from orgs.models import College, Tenant
from orgs.tasks import tenant_task
from orgs.tenancy import TenantManager, get_object_or_404, scopes_disabled, tenant_scope
from orgs.tests.factories import TenantFactory
from tests.world import tenant_owned_models

OWNED = tenant_owned_models()
by_label = pytest.mark.parametrize("model", OWNED, ids=[m._meta.label for m in OWNED])


def test_tenant_owned_models_are_discovered():
    labels = {m._meta.label for m in OWNED}
    assert {"orgs.College", "orgs.Room", "members.Person", "members.Membership", "members.RoleAssignment"} <= labels
    assert "orgs.Tenant" not in labels and "members.User" not in labels


# --- (a) no scope: every query raises ---

UNSCOPED_QUERIES = {
    "all": lambda m: m.objects.all(),
    "filter": lambda m: m.objects.filter(pk__gt=0),
    "get": lambda m: m.objects.get(pk=1),
    "count": lambda m: m.objects.count(),
    "iteration": lambda m: list(m.objects.get_queryset()),
    "iteration after exclude": lambda m: [row for row in m.objects.exclude(pk=0)],
    "exists": lambda m: m.objects.exists(),
    "exists after exclude": lambda m: m.objects.exclude(pk=0).exists(),
    "first": lambda m: m.objects.first(),
    "values_list": lambda m: m.objects.values_list("pk", flat=True),
    "in_bulk": lambda m: m.objects.in_bulk(),
    "aggregate": lambda m: m.objects.aggregate(),
    "update": lambda m: m.objects.update(),
    "delete": lambda m: m.objects.all().delete(),
    "explain": lambda m: m.objects.explain(),
}


@by_label
@pytest.mark.parametrize("query", UNSCOPED_QUERIES)
def test_a_query_without_a_tenant_scope_raises(world_a, model, query):
    assert not get_scope()
    with pytest.raises(ScopeError):
        UNSCOPED_QUERIES[query](model)
    with scopes_disabled():  # the one explicit way out sees the row, so the error above hid a real row
        assert model.objects.filter(pk=world_a[model].pk).exists()


@by_label
def test_every_tenant_owned_model_uses_the_tenant_manager(model):
    assert isinstance(model._default_manager, TenantManager)
    assert model._default_manager is model.objects


@by_label
def test_related_managers_are_scoped_too(world_a, model):
    """Reverse relations (college.majors, person.memberships…) refuse to query without a scope as well."""
    for relation in model._meta.related_objects:
        if relation.one_to_many and issubclass(relation.related_model, tuple(OWNED)):
            manager = getattr(world_a[model], relation.get_accessor_name())
            with pytest.raises(ScopeError):
                list(manager.all())


# --- (b) inside a tenant's scope: only that tenant's rows ---


@by_label
def test_a_scoped_query_sees_only_its_tenants_rows(tenant_a, world_a, world_b, model):
    mine, theirs = world_a[model], world_b[model]
    with scopes_disabled():
        expected = set(model.objects.filter(tenant=tenant_a).values_list("pk", flat=True))
        assert model.objects.filter(tenant_id=theirs.tenant_id).exists()
    with tenant_scope(tenant_a):
        assert set(model.objects.values_list("tenant_id", flat=True)) == {tenant_a.pk}
        assert {row.pk for row in model.objects.all()} == expected
        assert mine.pk in expected and theirs.pk not in expected
        assert model.objects.count() == len(expected)
        assert model.objects.filter(pk__in=[mine.pk, theirs.pk]).count() == 1
        assert model.objects.get(pk=mine.pk) == mine
        with pytest.raises(model.DoesNotExist):
            model.objects.get(pk=theirs.pk)
        assert not model.objects.filter(pk=theirs.pk).exists()
        # The access helper: another school's row and a missing row are the same 404.
        with pytest.raises(Http404) as foreign:
            get_object_or_404(model, pk=theirs.pk)
        with pytest.raises(Http404) as missing:
            get_object_or_404(model, pk=10**9)
        assert foreign.value.args == missing.value.args
        with pytest.raises(Http404):
            get_object_or_404(model, pk="not-a-number")


def test_a_scope_ends_with_its_block(tenant_a, world_a):
    with tenant_scope(tenant_a):
        assert College.objects.count() == 1
    with pytest.raises(ScopeError):
        College.objects.count()


def test_tenant_scope_takes_a_tenant_or_its_id(tenant_a, world_a, world_b):
    with tenant_scope(tenant_a.pk):
        assert list(College.objects.all()) == [world_a[College]]


# --- (c) tenant_scope(None) is refused ---


@pytest.mark.parametrize("value", [None, Tenant()], ids=["None", "unsaved tenant"])
def test_tenant_scope_refuses_no_tenant(value):
    with pytest.raises(ValueError), tenant_scope(value):
        pass


# --- (d) the database's own catalogue: tenant_id leads every index and unique constraint ---


@by_label
def test_tenant_id_leads_every_index_and_unique_constraint(db, model):
    table = model._meta.db_table
    with connection.cursor() as cursor:
        catalogue = connection.introspection.get_constraints(cursor, table)
    indexes = {
        name: info for name, info in catalogue.items()
        if (info["index"] or info["unique"]) and not info["primary_key"] and not info["check"]
    }
    offenders = {name: info["columns"] for name, info in indexes.items() if info["columns"][:1] != ["tenant_id"]}
    assert not offenders, f"{table} ({connection.vendor}): indexes not led by tenant_id: {offenders}"
    # The catalogue was really read: the tenant's own index and every declared one are there.
    names = set(indexes)
    declared = {i.name for i in model._meta.indexes} | {
        c.name for c in model._meta.constraints if c.__class__.__name__ == "UniqueConstraint"
    }
    assert declared <= names, f"{table}: declared but not in the catalogue: {declared - names}"
    assert indexes, f"{table}: no index found in the catalogue"


@by_label
def test_no_tenant_owned_model_has_an_automatic_many_to_many_table(model):
    """An auto-created M2M table has no tenant_id: such a relation needs a TenantOwned ``through`` model."""
    auto = [f.name for f in model._meta.local_many_to_many if f.remote_field.through._meta.auto_created]
    assert not auto, f"{model._meta.label}: many-to-many without a tenant-owned through model: {auto}"


def test_the_partial_unique_constraint_is_in_the_catalogue(db):
    with connection.cursor() as cursor:
        catalogue = connection.introspection.get_constraints(cursor, "members_membership")
    info = catalogue["membership_one_current_per_org"]
    assert info["unique"] and info["columns"] == ["tenant_id", "person_id", "organisation_id"]


# --- (e) the middleware opens the scope of the logged-in user's school ---


def _through_middleware(user, view=None):
    """Run ``view`` behind TenantMiddleware for ``user``; returns (request, response)."""
    request = RequestFactory().get("/probe/")
    request.user = user

    def default_view(request):
        return JsonResponse({
            "colleges": sorted(College.objects.values_list("pk", flat=True)),
            "people": sorted(people_visible_to(request.user).values_list("pk", flat=True)),
        })

    response = TenantMiddleware(view or default_view)(request)
    return request, response


@pytest.fixture
def a_admin(tenant_a, world_a):
    with tenant_scope(tenant_a):
        return RoleAssignmentFactory(tenant=tenant_a, role=Role.TENANT_ADMIN).user


def test_a_user_of_school_a_sees_only_school_a(tenant_a, world_a, world_b, a_admin):
    request, response = _through_middleware(a_admin)
    assert request.tenant == tenant_a
    seen = json.loads(response.content)
    with scopes_disabled():
        assert seen["colleges"] == sorted(College.objects.filter(tenant=tenant_a).values_list("pk", flat=True))
        assert seen["people"] == sorted(Person.objects.filter(tenant=tenant_a).values_list("pk", flat=True))
    assert world_a[College].pk in seen["colleges"] and world_b[College].pk not in seen["colleges"]
    assert world_b[Person].pk not in seen["people"]
    with pytest.raises(ScopeError):  # the scope closes with the request
        College.objects.count()


def _query_in_view(request):
    College.objects.count()
    return JsonResponse({})


def test_an_anonymous_request_has_no_scope(world_a):
    with pytest.raises(ScopeError):
        _through_middleware(AnonymousUser(), _query_in_view)
    request, response = _through_middleware(AnonymousUser(), lambda r: JsonResponse({}))
    assert request.tenant is None


def test_a_user_of_an_inactive_school_has_no_scope(tenant_a, world_a, a_admin):
    Tenant.objects.filter(pk=tenant_a.pk).update(is_active=False)
    a_admin.refresh_from_db()
    with pytest.raises(ScopeError):
        _through_middleware(a_admin, _query_in_view)
    request, _ = _through_middleware(a_admin, lambda r: JsonResponse({}))
    assert request.tenant is None


def test_a_deactivated_school_suspends_its_users(client, tenant_a, world_a, a_admin):
    assert client.login(request=RequestFactory().post("/login/"), username=a_admin.username,
                        password=settings.DEMO_PASSWORD) is True
    assert client.get("/").status_code == 200
    Tenant.objects.filter(pk=tenant_a.pk).update(is_active=False)
    for url in ("/", "/colleges/", "/people/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url
    assert client.login(request=RequestFactory().post("/login/"), username=a_admin.username,
                        password=settings.DEMO_PASSWORD) is False
    Tenant.objects.filter(pk=tenant_a.pk).update(is_active=True)  # suspended, not deleted: back when on again
    assert client.get("/").status_code == 200


def test_a_platform_admin_has_no_scope(world_a):
    admin = UserFactory(tenant=None, person=None, is_platform_admin=True)
    with pytest.raises(ScopeError):
        _through_middleware(admin, _query_in_view)


@override_settings(ROOT_URLCONF="tests.module_urls")
def test_the_whole_request_stack_scopes_to_the_users_school(client, tenant_a, tenant_b, world_a, world_b, a_admin):
    client.force_login(a_admin)
    seen = client.get("/tenancy-probe/").json()
    assert seen["tenant"] == tenant_a.pk
    assert world_a[College].pk in seen["colleges"] and world_b[College].pk not in seen["colleges"]
    client.logout()
    with pytest.raises(ScopeError):
        client.get("/tenancy-probe/")


# --- (f) modules (OR-5): a module that is off has no URLs and no menu entries ---


def test_module_namespaces():
    assert modules.module_for_namespace("dormlink") == "dormlink"
    assert modules.module_for_namespace("dormlink:forms") == "dormlink"
    assert modules.module_for_namespace("attendance") == modules.module_for_namespace("scoring") == "alliance"
    assert modules.module_for_namespace("orgs") is None
    assert modules.module_for_namespace(None) is None
    assert modules.module_for_namespace("") is None


def _user_of(tenant_modules):
    tenant = TenantFactory(modules=tenant_modules)
    return UserFactory(tenant=tenant)


@override_settings(ROOT_URLCONF="tests.module_urls")
@pytest.mark.parametrize(
    ("tenant_modules", "status"), [(["dormlink"], 200), (["alliance", "community"], 404), ([], 404)]
)
def test_a_modules_urls_answer_404_when_it_is_off(client, db, tenant_modules, status):
    client.force_login(_user_of(tenant_modules))
    response = client.get("/dormlink-probe/")
    assert response.status_code == status
    if status == 200:
        assert response.content == b"dormlink probe"


@override_settings(ROOT_URLCONF="tests.module_urls")
def test_a_modules_urls_answer_404_without_a_school(client, db):
    assert client.get("/dormlink-probe/").status_code == 404  # anonymous
    client.force_login(UserFactory(tenant=None, person=None, is_platform_admin=True))
    assert client.get("/dormlink-probe/").status_code == 404


@override_settings(ROOT_URLCONF="tests.module_urls")
def test_switching_a_module_off_hides_it_at_once(client, db):
    user = _user_of(["dormlink"])
    client.force_login(user)
    assert client.get("/dormlink-probe/").status_code == 200
    Tenant.objects.filter(pk=user.tenant_id).update(modules=[])
    assert client.get("/dormlink-probe/").status_code == 404


PROBE_PERMISSION = "tests.use_dormlink_probe"
PROBE_LABEL = "联系寝室（测试）"


@pytest.fixture
def dormlink_menu(monkeypatch):
    entry = modules.MenuEntry(PROBE_LABEL, "dormlink:probe", PROBE_PERMISSION)
    monkeypatch.setitem(modules.MODULES, "dormlink", dataclasses.replace(modules.MODULES["dormlink"], menu=(entry,)))
    rules.add_perm(PROBE_PERMISSION, rules.always_allow)
    yield entry
    rules.remove_perm(PROBE_PERMISSION)


def _menu_request(user):
    request = RequestFactory().get("/")
    request.user = user
    request.tenant = user.tenant
    return request


@override_settings(ROOT_URLCONF="tests.module_urls")
@pytest.mark.parametrize(("tenant_modules", "shown"), [(["dormlink"], True), (["alliance"], False), ([], False)])
def test_a_modules_menu_entries_show_only_when_it_is_on(db, dormlink_menu, tenant_modules, shown):
    user = _user_of(tenant_modules)
    with tenant_scope(user.tenant):
        items = menu_for(_menu_request(user))
        context = navigation(_menu_request(user))
    labels = [str(item["label"]) for item in items]
    assert (PROBE_LABEL in labels) is shown
    assert ([str(i["label"]) for i in context["menu"]] == labels) and context["tenant"] == user.tenant
    if shown:
        assert next(i for i in items if str(i["label"]) == PROBE_LABEL)["url"] == reverse("dormlink:probe")


@override_settings(ROOT_URLCONF="tests.module_urls")
@pytest.mark.parametrize(("tenant_modules", "shown"), [(["dormlink"], True), ([], False)])
def test_the_rendered_menu_lacks_a_module_that_is_off(client, db, dormlink_menu, tenant_modules, shown):
    client.force_login(_user_of(tenant_modules))
    response = client.get("/")
    assert response.status_code == 200
    assert (PROBE_LABEL in response.content.decode()) is shown


def test_no_menu_for_an_anonymous_user(db, dormlink_menu):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    assert menu_for(request) == []


# --- (g) tasks run in their tenant's scope ---


@tenant_task()
def colleges_of_the_tasks_tenant(tenant_id):
    return sorted(College.objects.values_list("pk", flat=True))


@tenant_task(bind=True)
def bound_colleges_of_the_tasks_tenant(self, tenant_id):
    return [self.name, sorted(College.objects.values_list("pk", flat=True))]


@tenant_task
def bare_colleges_of_the_tasks_tenant(tenant_id):
    return College.objects.count()


def test_a_tenant_task_runs_in_its_tenants_scope(tenant_a, tenant_b, world_a, world_b):
    assert colleges_of_the_tasks_tenant.apply(args=(tenant_a.pk,)).get() == [world_a[College].pk]
    assert colleges_of_the_tasks_tenant(tenant_b.pk) == [world_b[College].pk]
    name, colleges = bound_colleges_of_the_tasks_tenant.apply(args=(tenant_b.pk,)).get()
    assert colleges == [world_b[College].pk] and name.endswith("bound_colleges_of_the_tasks_tenant")
    assert bare_colleges_of_the_tasks_tenant.apply(args=(tenant_a.pk,)).get() == 1
    with pytest.raises(ScopeError):  # nothing leaks out of the task's scope
        College.objects.count()


def test_a_tenant_task_refuses_no_tenant(db):
    result = colleges_of_the_tasks_tenant.apply(args=(None,))
    assert isinstance(result.result, ValueError)
