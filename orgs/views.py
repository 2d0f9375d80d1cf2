"""Pages of the school's structure, its policy settings (OR-6) and the platform's school list.

Every view is decorators, one access helper (orgs/access.py), one selector or service call, render. The access helpers
fetch through ``orgs.tenancy.get_object_or_404`` inside the request's tenant scope, so another school's id
answers 404 exactly like a missing one. People shown on these pages come from members' selectors through
``orgs.people.directory()`` (members plugs them in at start-up), which keep only the people the user may see.
"""


from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from orgs import access, selectors, services
from orgs.calendar import local_date
from orgs.forms import (
    ClassFilterForm,
    OrganisationFilterForm,
    PolicyChangeForm,
    SearchForm,
    TenantCreateForm,
    TenantEditForm,
)
from orgs.pages import paginate, pk_of
from orgs.people import directory
from orgs.web import platform_admin_only, requires


def _today():
    return local_date(timezone.now())


def _posted(request):
    return request.POST if request.method == "POST" else None


# --- colleges and classes ---


@requires("orgs.browse_structure")
def college_list(request):
    form = SearchForm(request.GET)
    page = paginate(request, selectors.college_list(search=form.filters().get("q", "")))
    return render(request, "orgs/college_list.html", {"form": form, "page": page})


@requires("orgs.browse_structure")
def college_detail(request, college_id):
    college = access.college_for_user(request.user, college_id)
    form = SearchForm(request.GET)
    classes = selectors.class_list(search=form.filters().get("q", ""), college_id=college.pk)
    return render(request, "orgs/college_detail.html", {
        "college": college, "majors": selectors.college_majors(college=college), "form": form,
        "page": paginate(request, classes),
    })


@requires("orgs.browse_structure")
def class_list(request):
    form = ClassFilterForm(request.GET)
    filters = form.filters()
    classes = selectors.class_list(
        search=filters.get("q", ""), college_id=pk_of(filters.get("college")),
        enrolment_year=filters.get("enrolment_year"),
    )
    return render(request, "orgs/class_list.html", {"form": form, "page": paginate(request, classes)})


@requires("orgs.browse_structure")
def class_detail(request, schoolclass_id):
    school_class = access.class_for_user(request.user, schoolclass_id)
    form = SearchForm(request.GET)
    students = directory().person_list(
        user=request.user, search=form.filters().get("q", ""), school_class_id=school_class.pk
    )
    return render(request, "orgs/class_detail.html", {
        "school_class": school_class, "form": form, "page": paginate(request, students),
    })


# --- buildings and rooms ---


@requires("orgs.browse_structure")
def building_list(request):
    form = SearchForm(request.GET)
    page = paginate(request, selectors.building_list(search=form.filters().get("q", "")))
    return render(request, "orgs/building_list.html", {"form": form, "page": page})


@requires("orgs.browse_structure")
def building_detail(request, building_id):
    building = access.building_for_user(request.user, building_id)
    form = SearchForm(request.GET)
    rooms = selectors.room_list(building=building, search=form.filters().get("q", ""))
    return render(request, "orgs/building_detail.html", {
        "building": building, "form": form, "page": paginate(request, rooms),
    })


@requires("orgs.browse_structure")
def room_detail(request, room_id):
    room = access.room_for_user(request.user, room_id)
    residents = directory().person_list(user=request.user, room_id=room.pk)
    return render(request, "orgs/room_detail.html", {"room": room, "residents": residents})


# --- organisations and departments ---


@requires("orgs.browse_structure")
def organisation_list(request):
    form = OrganisationFilterForm(request.GET)
    filters = form.filters()
    orgs = selectors.organisation_list(search=filters.get("q", ""), kind=filters.get("kind", ""))
    return render(request, "orgs/organisation_list.html", {"form": form, "page": paginate(request, orgs)})


@requires("orgs.browse_structure")
def organisation_detail(request, organisation_id):
    organisation = access.organisation_for_user(request.user, organisation_id)
    members = directory().organisation_members(user=request.user, organisation=organisation)
    return render(request, "orgs/organisation_detail.html", {
        "organisation": organisation,
        "children": selectors.organisation_children(organisation=organisation),
        "departments": selectors.organisation_departments(organisation=organisation),
        "positions": selectors.organisation_positions(organisation=organisation),
        "page": paginate(request, members),
    })


@requires("orgs.browse_structure")
def department_detail(request, department_id):
    department = access.department_for_user(request.user, department_id)
    history = directory().department_members(user=request.user, department=department, current_only=False)
    return render(request, "orgs/department_detail.html", {
        "department": department, "current": directory().department_members(user=request.user, department=department),
        "page": paginate(request, history),
    })


# --- the school's policies (OR-6) ---


@requires("orgs.view_policy")
def policy_list(request):
    table = selectors.policy_table(tenant=request.tenant, on=_today())
    return render(request, "orgs/policy_list.html", {"table": table, "today": _today()})


@requires("orgs.change_policy")
@require_http_methods(["GET", "POST"])
def policy_change(request, key):
    entry = access.policy_for_user(request.user, key, on=_today())
    form = PolicyChangeForm(_posted(request), initial={"value": entry["value"]})
    if form.is_valid():
        try:
            change = services.policy_set(
                tenant=request.tenant, key=key, raw_value=form.cleaned_data["value"], user=request.user,
                today=_today(), note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_error("value", error)
        else:
            messages.success(request, _("已保存：%(label)s 自 %(date)s 起为 %(value)s %(unit)s。") % {
                "label": entry["policy"].label, "date": change.effective_from, "value": change.value,
                "unit": entry["policy"].unit,
            })
            return redirect("orgs:policy_list")
    return render(request, "orgs/policy_change.html", {"entry": entry, "form": form})


# --- the platform: schools and their modules (the platform admin has no tenant scope) ---


@platform_admin_only
def tenant_list(request):
    form = SearchForm(request.GET)
    page = paginate(request, selectors.tenant_list(search=form.filters().get("q", "")))
    return render(request, "orgs/tenant_list.html", {"form": form, "page": page})


@platform_admin_only
@require_http_methods(["GET", "POST"])
def tenant_create(request):
    form = TenantCreateForm(_posted(request))
    if form.is_valid():
        try:
            tenant = services.tenant_create(**form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已创建学校：%(name)s。") % {"name": tenant.name})
            return redirect("orgs:tenant_list")
    return render(request, "orgs/tenant_form.html", {"form": form, "school": None})


@platform_admin_only
@require_http_methods(["GET", "POST"])
def tenant_edit(request, tenant_id):
    tenant = access.tenant_for_platform_admin(request.user, tenant_id)
    form = TenantEditForm.for_tenant(tenant, data=_posted(request))
    if form.is_valid():
        try:
            services.tenant_update(tenant=tenant, **form.cleaned_data)
        except ValidationError as error:
            tenant.refresh_from_db()
            form.add_error(None, error)
        else:
            messages.success(request, _("已保存：%(name)s。") % {"name": tenant.name})
            return redirect("orgs:tenant_list")
    return render(request, "orgs/tenant_form.html", {
        "form": form, "school": tenant,
        "admins": directory().school_admin_accounts(tenant=tenant),
    })
