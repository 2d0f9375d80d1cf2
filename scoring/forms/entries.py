"""Forms of the incident and discretionary-entry pages. They only parse the POST; the services decide (is the
kind right for the target, is the person a member on that date, are the points in the rule's range…).
Querysets are built in ``__init__``, inside the request's tenant scope."""

from django import forms
from django.utils.translation import gettext_lazy as _

from members.models import Person
from orgs.models import Department
from scoring.services.entries import DEPARTMENT_KINDS, MEMBER_KINDS, signed

DATE = "%Y-%m-%d"


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format=DATE)


class _MemberChoice(forms.ModelChoiceField):
    """A member of the organisation that term, shown with their department."""

    def __init__(self, *args, departments=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.departments = departments or {}

    def label_from_instance(self, person):
        department = self.departments.get(person.pk)
        label = f"{person.name}（{person.number}）"
        return f"{label} · {department}" if department else label


def incident_kind_choices():
    """The kinds grouped by whom they concern: both, members only (SC-11), departments only (SC-14)."""
    both = [k for k in MEMBER_KINDS if k in DEPARTMENT_KINDS]
    return [
        ("", _("请选择")),
        (_("成员或部门"), [(k.value, k.label) for k in both]),
        (_("仅成员（处分阶梯）"), [(k.value, k.label) for k in MEMBER_KINDS if k not in both]),
        (_("仅部门（部门警告）"), [(k.value, k.label) for k in DEPARTMENT_KINDS if k not in both]),
    ]


class _TargetForm(forms.Form):
    """A member of the organisation that term or one of its departments (the service checks one of them)."""

    person = _MemberChoice(label=_("成员"), queryset=Person.objects.none(), required=False, empty_label="—",
                           error_messages={"invalid_choice": _("请选择本组织的成员。")})
    department = forms.ModelChoiceField(label=_("部门"), queryset=Department.objects.none(), required=False,
                                        empty_label="—", error_messages={"invalid_choice": _("该部门不属于本组织。")})
    on = forms.DateField(label=_("日期"), widget=_DateInput(), input_formats=[DATE],
                         error_messages={"required": _("请填写日期。"), "invalid": _("请填写正确的日期。")})

    def __init__(self, *args, organisation, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.filter(pk__in=[m.person.pk for m in members]).order_by(
            "name", "number")
        self.fields["person"].departments = {m.person.pk: m.department.name for m in members if m.department}
        self.fields["department"].queryset = Department.objects.filter(organisation=organisation).order_by(
            "order", "name")


class IncidentForm(_TargetForm):
    kind = forms.ChoiceField(label=_("类型"), choices=incident_kind_choices,
                             error_messages={"required": _("请选择违纪事项的类型。"),
                                             "invalid_choice": _("请选择违纪事项的类型。")})
    note = forms.CharField(label=_("情况说明"), max_length=200,
                           error_messages={"required": _("请填写情况说明。"),
                                           "max_length": _("不能超过 200 个字。")})

    field_order = ["kind", "person", "department", "on", "note"]


class DiscretionaryForm(_TargetForm):
    kind = forms.ChoiceField(label=_("条目"), error_messages={"required": _("请选择酌情加减分的条目。"),
                                                             "invalid_choice": _("请选择酌情加减分的条目。")})
    points = forms.IntegerField(label=_("分值"), error_messages={"required": _("请填写分值。"),
                                                               "invalid": _("分值须为整数。")})
    reason = forms.CharField(label=_("理由"), max_length=200,
                             error_messages={"required": _("请填写理由。"), "max_length": _("不能超过 200 个字。")})

    field_order = ["kind", "person", "department", "points", "on", "reason"]

    def __init__(self, *args, rules, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", _("请选择"))] + [
            (rule.outcome, f"{rule.label}（{signed(rule.points_min)}…{signed(rule.points_max)}）")
            for rule in rules]


class RevokeForm(forms.Form):
    reason = forms.CharField(max_length=200, error_messages={"required": _("请填写撤销理由。"),
                                                             "max_length": _("不能超过 200 个字。")})


class DecideForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("批准")), ("refuse", _("不批准"))],
                                 error_messages={"required": _("请选择批准或不批准。"),
                                                 "invalid_choice": _("请选择批准或不批准。")})
    note = forms.CharField(max_length=200, required=False,
                           error_messages={"max_length": _("不能超过 200 个字。")})
