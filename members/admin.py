"""The Django admin of people, accounts, roles and memberships: a tenant admin sees only their own school.

The shared behaviour (tenant scope, rules permissions, 404 for another school's id) is
``orgs.admin.TenantScopedAdmin``. People and new accounts are written through ``members.services``
(``person_create``/``person_update``, ``account_create``), whose checks the forms run first.

Users are a global table that the tenant scope does not filter: the user
admin filters on ``request.tenant`` itself and puts new users in that school.

Sensitive fields (DESIGN "Data that must not leak"): political status is never a column or a filter of a
list, and disciplinary records are listed by person and date only.
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from members.models import (
    ROLE_ALT_SCOPE,
    ROLE_SCOPE,
    SCOPE_FIELDS,
    AcademicStanding,
    DisciplinaryRecord,
    Membership,
    Person,
    Role,
    RoleAssignment,
    Scope,
    User,
)
from members.services import (
    PERSON_FIELDS,
    account_create,
    account_unlock,
    person_check,
    person_create,
    person_update,
    username_check_not_number,
)
from orgs.admin import TenantAdminMixin, TenantScopedAdmin, adopt, bind_tenant

# Permissions come from rules, not from Django's groups: the group admin would only invite confusion.
if admin.site.is_registered(Group):
    admin.site.unregister(Group)




# --- people ---


class PersonAdminForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        try:
            person_check(tenant_id=self.instance.tenant_id, person=self.instance, **{
                name: cleaned.get(name) for name in ("number", "gender", "college", "major", "school_class",
                                                     "enrolment_year", "room")})
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
        return cleaned


@admin.register(Person)
class PersonAdmin(TenantScopedAdmin):
    form = PersonAdminForm
    # No political status here: neither a column nor a filter, nor a lookup in the URL (sensitive).
    sensitive_lookups = ("political_status",)
    list_display = ("number", "name", "kind", "gender", "college", "school_class", "room")
    list_filter = ("kind", "gender", "college", "enrolment_year")
    list_select_related = ("college", "school_class", "room__building")
    search_fields = ("number", "name")
    autocomplete_fields = ("college", "major", "school_class", "room")
    fieldsets = (
        (None, {"fields": ("number", "name", "kind", "gender")}),
        (_("学籍与住宿"), {"fields": ("college", "major", "school_class", "enrolment_year", "room")}),
        (_("敏感信息"), {"fields": ("political_status",), "classes": ("collapse",)}),
    )

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data.get(name, getattr(obj, name)) for name in PERSON_FIELDS}
        if change:
            person_update(person=obj, **fields)
        else:
            adopt(obj, person_create(tenant=request.tenant, **fields))


@admin.register(AcademicStanding)
class AcademicStandingAdmin(TenantScopedAdmin):
    list_display = ("person", "term", "rank_percentile", "failed_courses")
    list_filter = ("term",)
    list_select_related = ("person", "term")
    search_fields = ("person__number", "person__name")
    autocomplete_fields = ("person", "term")


@admin.register(DisciplinaryRecord)
class DisciplinaryRecordAdmin(TenantScopedAdmin):
    # Listed by person and date only: the level and the reason are read on the record itself.
    sensitive_lookups = ("level", "reason", "document_number")
    list_display = ("person", "decided_on", "lifted_on")
    list_select_related = ("person",)
    search_fields = ("person__number", "person__name")
    autocomplete_fields = ("person",)


# --- roles and memberships ---

SCOPE_LABELS = {
    Scope.COLLEGE: _("学院"), Scope.CLASS: _("班级"), Scope.ORGANISATION: _("组织"),
    Scope.DEPARTMENT: _("部门"), Scope.ROOM: _("寝室"),
}


class RoleAssignmentAdminForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        role = cleaned.get("role")
        if not role:
            return cleaned
        filled = {name for name in SCOPE_FIELDS if cleaned.get(name) is not None}
        allowed = [ROLE_SCOPE[role]] + ([ROLE_ALT_SCOPE[role]] if role in ROLE_ALT_SCOPE else [])
        if not any(filled == (set() if scope == Scope.TENANT else {scope}) for scope in allowed):
            if allowed == [Scope.TENANT]:
                message = _("「%(role)s」是全校范围的角色，不填写学院、班级、组织、部门或寝室。")
            else:
                message = _("「%(role)s」须且只能填写：%(scopes)s。")
            raise ValidationError(message % {
                "role": Role(role).label, "scopes": _("或").join(str(SCOPE_LABELS[s]) for s in allowed),
            })
        return cleaned


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(TenantScopedAdmin):
    form = RoleAssignmentAdminForm
    list_display = ("user", "role", "scope_display", "start", "end")
    list_filter = ("role",)
    list_select_related = (
        "user__person", "college", "school_class", "organisation", "department", "room__building"
    )
    search_fields = ("user__username", "user__person__name", "user__person__number")
    autocomplete_fields = ("user", "college", "school_class", "organisation", "department", "room")
    fields = ("user", "role", "college", "school_class", "organisation", "department", "room", "start", "end")

    @admin.display(description=_("范围"))
    def scope_display(self, obj):
        return obj.scope_object or _("全校")


class MembershipAdminForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        organisation = cleaned.get("organisation")
        for name in ("department", "position"):
            value = cleaned.get(name)
            if organisation and value and value.organisation_id != organisation.pk:
                self.add_error(name, _("不属于所选组织。"))
        term = cleaned.get("term")
        if term and cleaned.get("start") and cleaned["start"] > term.end:
            self.add_error("start", _("起始日期晚于学期结束。"))
        return cleaned


@admin.register(Membership)
class MembershipAdmin(TenantScopedAdmin):
    form = MembershipAdminForm
    list_display = ("person", "organisation", "department", "position", "term", "start", "end")
    list_filter = ("organisation", "term", ("end", admin.EmptyFieldListFilter))
    list_select_related = ("person", "organisation", "department", "position", "term")
    search_fields = ("person__number", "person__name")
    autocomplete_fields = ("person", "organisation", "department", "position", "term")


# --- accounts ---


class _UsernameNotNumber:
    """A new or renamed username must not look like a student number (members.services)."""

    def clean_username(self):
        username = super().clean_username() if hasattr(super(), "clean_username") else self.cleaned_data.get(
            "username")
        if username and (self.instance.pk is None or username != self.instance.username):
            try:
                username_check_not_number(username)
            except ValidationError as error:
                raise ValidationError(error.message_dict["username"]) from error
        return username


class CampusUserCreationForm(_UsernameNotNumber, AdminUserCreationForm):
    pass


class CampusUserChangeForm(_UsernameNotNumber, UserChangeForm):
    pass


@admin.register(User)
class UserAdmin(TenantAdminMixin, DjangoUserAdmin):
    """The school's accounts only. A tenant admin cannot make superusers, platform admins or move a user to
    another school: those fields are not in the forms."""

    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("人员"), {"fields": ("person",)}),
        (_("权限"), {"fields": ("is_active", "is_staff")}),
        (_("重要日期"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "person", "usable_password", "password1", "password2")}),
    )
    readonly_fields = ("last_login", "date_joined")
    list_display = ("username", "person", "is_staff", "is_active", "last_login")
    list_filter = ("is_staff", "is_active")
    list_select_related = ("person",)
    search_fields = ("username", "person__name", "person__number")
    autocomplete_fields = ("person",)
    filter_horizontal = ()
    ordering = ("username",)
    form = CampusUserChangeForm
    add_form = CampusUserCreationForm
    actions = ["unlock_login"]

    @admin.action(description=_("解除所选账号的登录锁定"), permissions=["change"])
    def unlock_login(self, request, queryset):
        now = timezone.now()
        for account in queryset:
            account_unlock(account=account, by=request.user, now=now)
        self.message_user(request, _("已解除 %(n)d 个账号的登录锁定。") % {"n": len(queryset)})

    def get_queryset(self, request):
        return (
            super().get_queryset(request)
            .filter(tenant=request.tenant, is_superuser=False, is_platform_admin=False)
        )

    def get_form(self, request, obj=None, **kwargs):
        return bind_tenant(super().get_form(request, obj, **kwargs), request.tenant)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        usable = form.cleaned_data.get("set_usable_password", True)
        adopt(obj, account_create(tenant=request.tenant, username=obj.username, person=obj.person,
                                  password=form.cleaned_data.get("password1") if usable else None,
                                  is_staff=obj.is_staff))

    sensitive_lookups = ("tenant", "is_superuser", "is_platform_admin", "password")

