"""Forms of the structure pages, the settings page and the platform pages.

Choice fields over tenant-owned rows get their querysets in ``__init__``: built inside the request, under
its tenant scope, they list only the school's own rows (a queryset built at import would raise).
"""

from django import forms
from django.utils.translation import gettext_lazy as _

from orgs import selectors
from orgs.models import College, OrganisationKind, Tenant
from orgs.modules import module_choices
from orgs.pages import id_of


class SearchForm(forms.Form):
    """``?q=`` on every list page. Filters read from ``filters()``: an invalid filter is simply not applied."""

    q = forms.CharField(label=_("搜索"), required=False, max_length=100)

    def filters(self) -> dict:
        self.is_valid()
        return {key: value for key, value in self.cleaned_data.items() if value not in (None, "")}


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """Several rows by id: a value that is not an id (not ASCII digits, beyond 2^63) is an invalid choice before
    any query (Django's own check lets an id beyond 2^63 reach ``pk__in``, where SQLite overflows)."""

    def _check_values(self, value):
        for pk in value if isinstance(value, list | tuple) else ():
            if self.to_field_name is None and id_of(pk) is None and pk not in self.empty_values:
                raise forms.ValidationError(self.error_messages["invalid_pk_value"], code="invalid_pk_value",
                                            params={"pk": pk})
        return super()._check_values(value)


class CollegeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class ClassFilterForm(SearchForm):
    college = CollegeChoiceField(label=_("学院"), queryset=College.objects.none(), required=False,
                                 empty_label=_("全部学院"))
    enrolment_year = forms.TypedChoiceField(label=_("入学年份"), coerce=int, required=False, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["college"].queryset = College.objects.order_by("code")
        years = selectors.enrolment_years()
        self.fields["enrolment_year"].choices = [("", _("全部年级"))] + [(y, _("%(year)s级") % {"year": y})
                                                                        for y in years]


class OrganisationFilterForm(SearchForm):
    kind = forms.ChoiceField(label=_("类型"), required=False,
                             choices=[("", _("全部类型")), *OrganisationKind.choices])


class PolicyChangeForm(forms.Form):
    value = forms.CharField(label=_("新取值"), max_length=100)
    note = forms.CharField(label=_("修改说明"), max_length=200, required=False)


class TenantForm(forms.Form):
    name = forms.CharField(label=_("学校名称"), max_length=100)
    modules = forms.MultipleChoiceField(
        label=_("启用模块"), required=False, choices=module_choices, widget=forms.CheckboxSelectMultiple
    )


class TenantCreateForm(TenantForm):
    slug = forms.CharField(
        label=_("代码"), max_length=32, help_text=_("小写字母开头，只含小写字母、数字和下划线，如 hut。")
    )
    field_order = ["slug", "name", "modules"]


class TenantEditForm(TenantForm):
    is_active = forms.BooleanField(label=_("启用该学校"), required=False)

    @classmethod
    def for_tenant(cls, tenant: Tenant, data=None):
        initial = {"name": tenant.name, "modules": tenant.modules, "is_active": tenant.is_active}
        return cls(data=data, initial=initial)
