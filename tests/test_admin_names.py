"""The Django admin speaks Chinese (issue: "AcademicStanding object (289)"): every model of the project and
every field has a Chinese verbose name, every model a meaningful ``__str__``, and every admin page a tenant admin
can open — the index, each registered model's change list and change page — shows no English model or field
name and no "object (N)". The change lists run a fixed number of queries however many rows they show."""

import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import label_for_field
from django.db import connection
from django.db.models import Model
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from orgs.tenancy import tenant_scope

CJK = re.compile(r"[\u3400-\u9fff]")
PROJECT_APPS = ("orgs", "members", "attendance", "scoring")
DEFAULT_STR = re.compile(r"\bobject \(\d+\)")


def _project_models():
    return [m for label in PROJECT_APPS for m in apps.get_app_config(label).get_models()]


@pytest.mark.parametrize("model", _project_models(), ids=lambda m: m._meta.label)
def test_every_model_and_field_has_a_chinese_name(model):
    meta = model._meta
    assert CJK.search(str(meta.verbose_name)), meta.label
    assert CJK.search(str(meta.verbose_name_plural)), meta.label
    assert CJK.search(str(apps.get_app_config(meta.app_label).verbose_name)), meta.app_label
    english = [f.name for f in [*meta.concrete_fields, *meta.many_to_many]
               if not f.primary_key and not CJK.search(str(f.verbose_name))]
    assert not english, f"{meta.label}: fields without a Chinese name: {english}"
    assert model.__str__ is not Model.__str__, f"{meta.label} has no __str__"


def test_every_object_names_itself(tenant_b, world_b):
    with tenant_scope(tenant_b):
        for model, obj in world_b.items():
            text = str(obj)
            assert text.strip() and not DEFAULT_STR.search(text), f"{model._meta.label}: {text!r}"


def _visible_admins(client):
    index = client.get(reverse("admin:index"))
    assert index.status_code == 200
    html = index.content.decode()
    assert not DEFAULT_STR.search(html)
    names = [(app["name"], [m["name"] for m in app["models"]]) for app in index.context["app_list"]]
    for app_name, model_names in names:
        assert CJK.search(str(app_name)), app_name
        for name in model_names:
            assert CJK.search(str(name)), (app_name, name)
    return [m["model"] for app in index.context["app_list"] for m in app["models"]]


def test_the_tenant_admin_sees_chinese_everywhere_and_no_object_n(client, tenant_b, world_b, b_admin):
    client.force_login(b_admin)
    models = _visible_admins(client)
    assert {m._meta.label for m in models} >= {"members.AcademicStanding", "members.Person", "orgs.College"}
    request = RequestFactory().get("/")
    request.user = b_admin
    request.tenant = tenant_b
    for model in models:
        model_admin = admin.site._registry[model]
        label = model._meta.label
        with tenant_scope(tenant_b):
            headers = [label_for_field(name, model, model_admin) for name in model_admin.get_list_display(request)]
        assert all(CJK.search(str(h)) for h in headers), f"{label}: list columns {headers}"
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url)
        assert response.status_code == 200, label
        assert not DEFAULT_STR.search(response.content.decode()), label
        for spec in response.context["cl"].filter_specs:
            assert CJK.search(str(spec.title)), f"{label}: filter {spec.title!r}"
        obj = world_b.get(model)
        if obj is None:
            with tenant_scope(tenant_b):
                obj = model._default_manager.first()
        if obj is None:
            continue
        change = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
        response = client.get(change)
        assert response.status_code == 200, label
        html = response.content.decode()
        assert not DEFAULT_STR.search(html), f"{label}: {DEFAULT_STR.search(html).group(0)} on its change page"
        form = response.context["adminform"].form
        english = [name for name, field in form.fields.items() if not CJK.search(str(field.label))]
        assert not english, f"{label}: form fields without a Chinese label: {english}"
        readonly = [label_for_field(name, model, model_admin) for name in
                    model_admin.get_readonly_fields(response.wsgi_request, obj)]
        assert all(CJK.search(str(r)) for r in readonly), f"{label}: read-only fields {readonly}"
        for formset in response.context["inline_admin_formsets"]:
            for name, field in formset.formset.form.base_fields.items():
                assert CJK.search(str(field.label)), f"{label} inline: {name}"


@pytest.mark.parametrize("label", ["members.AcademicStanding", "members.DisciplinaryRecord", "members.Membership",
                                   "members.RoleAssignment", "orgs.PolicyValue"])
def test_a_change_list_runs_a_fixed_number_of_queries(client, tenant_b, world_b, b_admin, label):
    """Each row's ``__str__`` names a person or a term: the change list joins them (list_select_related)."""
    from tests.world import factory_for

    model = apps.get_model(label)
    client.force_login(b_admin)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    with tenant_scope(tenant_b):
        for _ in range(4):
            factory_for(model)(tenant=tenant_b)
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
