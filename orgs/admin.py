"""The Django admin, for a tenant admin: only their own school (issue 2, item 8), and the platform's tenants.

``TenantScopedAdmin`` (and ``TenantScopedInline``) is the base of every admin of a tenant-owned model:

* The tenant scope (opened by ``orgs.middleware.TenantMiddleware`` from the logged-in user's tenant) filters
  every query on a tenant-owned model, so change lists, choices of foreign keys, filters and autocompletes
  list only the school's rows. Global tables are not scoped: a foreign key to a model with a ``tenant`` field
  (``members.User``) or to ``Tenant`` itself is limited to the request's tenant here.
* A new row gets ``tenant = request.tenant`` (the field is ``editable=False``) before the form validates, so
  the unique constraints that start with ``tenant`` are checked as form errors, not as database errors.
* An object id that is not the school's is a 404, exactly like a missing one, and it is looked up before any
  permission check (Django's admin checks permissions first and redirects to the index for a missing id).
* Permissions come from the ``rules`` registry only (members/rules.py, orgs/rules.py), never from Django's
  per-user permission tables or ``is_superuser``. Without a tenant (the platform admin, anonymous) every
  tenant-owned admin is invisible and its URLs answer 403, never a ScopeError.
* Terms, organisations, departments and positions are written through ``orgs.services`` (``save_model`` and
  ``save_formset`` call the service); their forms run the services' checks, so a refusal is a form error.
* Who may enter the admin at all is decided by ``config.admin_site.CampusAdminSite.has_permission`` (the
  school's admin or the platform admin); everyone else is sent to the admin's login page.
"""

import rules
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.exceptions import DisallowedModelAdminToField
from django.contrib.admin.options import TO_FIELD_VAR
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from orgs import services
from orgs.models import (
    Building,
    College,
    Department,
    Floor,
    Major,
    Organisation,
    PlatformAccess,
    PolicyValue,
    Position,
    Room,
    SchoolClass,
    Tenant,
    Term,
)
from orgs.modules import MODULES, module_choices
from orgs.tenancy import TenantOwned
from orgs.web import error_text

admin.site.site_header = _("学生组织管理平台 · 管理后台")
admin.site.site_title = _("管理后台")
admin.site.index_title = _("本校数据管理")


def bind_tenant(form_class, tenant):
    """A subclass of ``form_class`` whose new instance belongs to ``tenant`` before validation, and whose
    validation includes the ``tenant`` field (so constraints that start with it are checked)."""

    class TenantBoundForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if getattr(self.instance, "tenant_id", 0) is None:
                self.instance.tenant = tenant

        def _get_validation_exclusions(self):
            exclude = super()._get_validation_exclusions()
            exclude.discard("tenant")
            return exclude

    TenantBoundForm.__name__ = form_class.__name__
    TenantBoundForm.__qualname__ = form_class.__qualname__
    return TenantBoundForm


def tenant_limited_queryset(model, request):
    """The rows of a global ``model`` that a foreign key may point to from the request's tenant, or None when
    the tenant scope already does it (tenant-owned models) or the model is not per tenant."""
    if issubclass(model, TenantOwned):
        return None
    if model is Tenant:
        return Tenant.objects.filter(pk=request.tenant.pk)
    if any(field.name == "tenant" for field in model._meta.concrete_fields):
        return model._default_manager.filter(tenant=request.tenant)
    return None


class NotFoundBeforeForbiddenMixin:
    """Existence before permission: another school's id, like a missing one, is a 404 even where the
    action itself would be refused (a read-only admin answers 403 only for the school's own rows)."""

    def _object_or_404(self, request, object_id):
        to_field = request.POST.get(TO_FIELD_VAR, request.GET.get(TO_FIELD_VAR))
        if to_field and not self.to_field_allowed(request, to_field):
            raise DisallowedModelAdminToField(f"The field {to_field} cannot be referenced.")
        if self.get_object(request, unquote(object_id), to_field) is None:
            raise Http404()

    def change_view(self, request, object_id, form_url="", extra_context=None):
        self._object_or_404(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._object_or_404(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._object_or_404(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404()


class TenantAdminMixin(NotFoundBeforeForbiddenMixin):
    """What every admin of a school's data shares: rules permissions, tenant-bound forms, 404 for ids that
    are not the school's, and foreign keys to global tables limited to the school."""

    #: Permission names by action, where they differ from ``<app>.<action>_<model>``.
    rules_permissions: dict[str, str] = {}
    #: Fields that no list may be filtered on through the URL (Django allows any local field by default).
    sensitive_lookups: tuple[str, ...] = ()

    def lookup_allowed(self, lookup, value, request=None):
        if self.sensitive_lookups and lookup.split("__")[0] in self.sensitive_lookups:
            return False
        return super().lookup_allowed(lookup, value, request)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """The form checks what it can (a service's ``*_check``), but a service may still refuse at save time
        what the form passed: another admin saved a conflicting row in between (two overlapping terms at once).
        Then nothing is saved (the admin's transaction rolls back) and the page comes back with the service's
        Chinese message: never a 500."""
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            self.message_user(request, error_text(error), level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def get_queryset(self, request):
        if getattr(request, "tenant", None) is None:
            # No school, no scope: a tenant-owned query would raise ScopeError. Nothing to see here.
            raise PermissionDenied
        return super().get_queryset(request)

    def _rules_permission(self, action):
        opts = self.opts
        return self.rules_permissions.get(action, f"{opts.app_label}.{action}_{opts.model_name}")

    def _allowed(self, request, action):
        if getattr(request, "tenant", None) is None or not request.user.is_active:
            return False
        return rules.has_perm(self._rules_permission(action), request.user)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request, "view") or self._allowed(request, "change")

    def has_add_permission(self, request, *args):
        return self._allowed(request, "add")

    def has_change_permission(self, request, obj=None):
        return self._allowed(request, "change")

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request, "delete")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs and getattr(request, "tenant", None) is not None:
            queryset = tenant_limited_queryset(db_field.remote_field.model, request)
            if queryset is not None:
                kwargs["queryset"] = queryset
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "queryset" not in kwargs and getattr(request, "tenant", None) is not None:
            queryset = tenant_limited_queryset(db_field.remote_field.model, request)
            if queryset is not None:
                kwargs["queryset"] = queryset
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class TenantScopedAdmin(TenantAdminMixin, admin.ModelAdmin):
    """Base of the admin of every tenant-owned model."""

    def get_form(self, request, obj=None, **kwargs):
        return bind_tenant(super().get_form(request, obj, **kwargs), request.tenant)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.tenant = request.tenant
        super().save_model(request, obj, form, change)


def adopt(obj, saved) -> None:
    """The admin goes on with its own instance (its log entry, the redirect, the inlines' parent): give it the
    primary key of the row a create service saved."""
    obj.pk, obj._state.adding, obj._state.db = saved.pk, False, saved._state.db


class TenantScopedInline(TenantAdminMixin, admin.TabularInline):
    extra = 0

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = bind_tenant(formset.form, request.tenant)
        return formset


# --- the platform: tenants ---


class TenantAdminForm(forms.ModelForm):
    modules = forms.MultipleChoiceField(
        label=_("已启用模块"), required=False, choices=module_choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Tenant
        fields = ("slug", "name", "modules", "is_active")

    def clean_modules(self):
        return sorted(set(self.cleaned_data["modules"]))


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    """Only the platform admin sees schools here (orgs.rules); a school's own admin never does."""

    form = TenantAdminForm
    list_display = ("slug", "name", "modules_display", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("slug", "name")

    def get_readonly_fields(self, request, obj=None):
        return ("slug",) if obj is not None else ()

    @admin.display(description=_("已启用模块"))
    def modules_display(self, obj):
        return "、".join(str(MODULES[key].label) for key in obj.modules if key in MODULES) or "—"

    def has_module_permission(self, request):
        return rules.has_perm("orgs.manage_tenants", request.user)

    def has_view_permission(self, request, obj=None):
        return rules.has_perm("orgs.view_tenant", request.user)

    def has_add_permission(self, request):
        return rules.has_perm("orgs.add_tenant", request.user)

    def has_change_permission(self, request, obj=None):
        return rules.has_perm("orgs.change_tenant", request.user)

    def has_delete_permission(self, request, obj=None):
        return False  # a school's data goes with it: deactivate instead

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404()


@admin.register(PlatformAccess)
class PlatformAccessAdmin(NotFoundBeforeForbiddenMixin, admin.ModelAdmin):
    """The platform admin's visits to a school, read-only. A school's admin sees their own school's."""

    list_display = ("at", "user", "tenant", "page", "method")
    list_filter = ("page",)
    list_select_related = ("user", "tenant")
    date_hierarchy = "at"

    def get_queryset(self, request):
        rows = super().get_queryset(request)
        return rows.filter(tenant=request.tenant) if request.tenant is not None else rows

    def has_module_permission(self, request):
        return rules.has_perm("orgs.view_platformaccess", request.user)

    def has_view_permission(self, request, obj=None):
        return rules.has_perm("orgs.view_platformaccess", request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False



# --- the school's structure ---


class TermAdminForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end:
            services.term_check(tenant_id=self.instance.tenant_id, start=start, end=end, term=self.instance)
        return cleaned


@admin.register(Term)
class TermAdmin(TenantScopedAdmin):
    form = TermAdminForm
    list_display = ("name", "start", "end", "week_count")
    search_fields = ("name",)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in ("name", "start", "end")}
        if change:
            services.term_update(term=obj, **fields)
        else:
            adopt(obj, services.term_create(tenant=request.tenant, **fields))

    @admin.display(description=_("教学周数"))
    def week_count(self, obj):
        return obj.week_count


@admin.register(College)
class CollegeAdmin(TenantScopedAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Major)
class MajorAdmin(TenantScopedAdmin):
    list_display = ("code", "name", "college")
    list_filter = ("college",)
    list_select_related = ("college",)
    search_fields = ("code", "name")


@admin.register(SchoolClass)
class SchoolClassAdmin(TenantScopedAdmin):
    list_display = ("name", "major", "college", "enrolment_year")
    list_filter = ("college", "enrolment_year")
    list_select_related = ("major", "college")
    search_fields = ("name",)
    autocomplete_fields = ("major",)


@admin.register(Building)
class BuildingAdmin(TenantScopedAdmin):
    list_display = ("name",)
    search_fields = ("name",)


@admin.register(Floor)
class FloorAdmin(TenantScopedAdmin):
    list_display = ("__str__", "building", "number")
    list_filter = ("building",)
    list_select_related = ("building",)
    search_fields = ("building__name",)


@admin.register(Room)
class RoomAdmin(TenantScopedAdmin):
    list_display = ("__str__", "building", "floor", "gender", "capacity")
    list_filter = ("building", "gender")
    list_select_related = ("building", "floor__building")
    search_fields = ("number", "building__name")
    autocomplete_fields = ("floor",)


class DepartmentInline(TenantScopedInline):
    model = Department
    fields = ("name", "is_presidium", "order")


class PositionInline(TenantScopedInline):
    model = Position
    fields = ("name", "category", "rank")


@admin.register(Organisation)
class OrganisationAdmin(TenantScopedAdmin):
    list_display = ("name", "kind", "parent", "college")
    list_filter = ("kind", "college")
    list_select_related = ("parent", "college")
    search_fields = ("name",)
    autocomplete_fields = ("parent",)
    inlines = (DepartmentInline, PositionInline)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data.get(name) for name in ("name", "kind", "parent", "college")}
        if change:
            services.organisation_update(organisation=obj, **fields)
        else:
            adopt(obj, services.organisation_create(tenant=request.tenant, **fields))

    def save_formset(self, request, form, formset, change):
        """The departments and positions of the page, each through its service (their forms checked the name)."""
        if formset.model not in INLINE_SERVICES:
            return super().save_formset(request, form, formset, change)
        create, update, argument, field_names = INLINE_SERVICES[formset.model]
        rows = formset.save(commit=False)
        for row in formset.deleted_objects:
            row.delete()
        for row in rows:
            fields = {name: getattr(row, name) for name in field_names}
            if row.pk is None:
                adopt(row, create(organisation=form.instance, **fields))
            else:
                update(**{argument: row}, **fields)
        formset.save_m2m()
        return None


#: The inlines of an organisation, by model: its create and update services, the update's argument naming the
#: row, and the fields both take.
INLINE_SERVICES = {
    Department: (services.department_create, services.department_update, "department",
                 ("name", "is_presidium", "order")),
    Position: (services.position_create, services.position_update, "position", ("name", "category", "rank")),
}


@admin.register(Department)
class DepartmentAdmin(TenantScopedAdmin):
    list_display = ("name", "organisation", "is_presidium", "order")
    list_filter = ("organisation",)
    list_select_related = ("organisation",)
    search_fields = ("name", "organisation__name")
    autocomplete_fields = ("organisation",)

    def get_readonly_fields(self, request, obj=None):
        return ("organisation",) if obj is not None else ()  # a department stays in its organisation

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in ("name", "is_presidium", "order")}
        if change:
            services.department_update(department=obj, **fields)
        else:
            adopt(obj, services.department_create(organisation=form.cleaned_data["organisation"], **fields))


@admin.register(Position)
class PositionAdmin(TenantScopedAdmin):
    list_display = ("name", "organisation", "category", "rank")
    list_filter = ("organisation", "category")
    list_select_related = ("organisation",)
    search_fields = ("name", "organisation__name")
    autocomplete_fields = ("organisation",)

    def get_readonly_fields(self, request, obj=None):
        return ("organisation",) if obj is not None else ()  # a post stays in its organisation

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in ("name", "category", "rank")}
        if change:
            services.position_update(position=obj, **fields)
        else:
            adopt(obj, services.position_create(organisation=form.cleaned_data["organisation"], **fields))


@admin.register(PolicyValue)
class PolicyValueAdmin(TenantScopedAdmin):
    """Read-only history of policy changes: changes go through the settings page (OR-6), which logs them."""

    rules_permissions = {"view": "orgs.view_policy"}
    list_display = ("key", "value", "effective_from", "changed_by", "changed_at", "note")
    list_filter = ("key",)
    list_select_related = ("changed_by",)

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
