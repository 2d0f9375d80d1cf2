"""Forms of the pages where the office records minutes, a plenary's discipline and an activity. They only parse
the POST; the services decide (is the person an attendee, a member, is the session started…). Querysets are
built in ``__init__``, inside the request's tenant scope."""

from django import forms
from django.utils.translation import gettext_lazy as _

from attendance.models import Coordination, DepartmentOrder, Grade
from members.models import Person
from orgs.models import Department

DATE = "%Y-%m-%d"

_PERSON_ERRORS = {"required": _("请选择人员。"), "invalid_choice": _("请选择人员。")}
_DEPARTMENT_ERRORS = {"required": _("请选择部门。"), "invalid_choice": _("该部门不属于本组织。")}

#: The grade choices with "not graded" first.
GRADE_CHOICES = [("", _("未评定"))] + Grade.choices


class _DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self):
        super().__init__(format=DATE)


def _person_field(**kwargs):
    return forms.ModelChoiceField(queryset=Person.objects.none(), error_messages=_PERSON_ERRORS, **kwargs)


class _WithPerson(forms.Form):
    """A person of the request's school; whether they fit (attendee, member) is the service's to say."""

    person = _person_field(label=_("人员"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = Person.objects.all()


class MinutesForm(forms.Form):
    taken = forms.TypedChoiceField(label=_("是否已做记录"), choices=[("1", _("已做记录")), ("0", _("未做记录"))],
                                   coerce=lambda v: v == "1", widget=forms.RadioSelect,
                                   error_messages={"required": _("请选择是否已做记录。")})
    grade = forms.ChoiceField(label=_("记录评定"), choices=GRADE_CHOICES, required=False,
                              help_text=_("可稍后评定；未做记录时不评定。"))
    content = forms.CharField(label=_("记录内容"), required=False, widget=forms.Textarea(attrs={"rows": 4}))

    @classmethod
    def initial_of(cls, minutes) -> dict:
        if minutes is None:
            return {}
        return {"taken": "1" if minutes.taken else "0", "grade": minutes.grade, "content": minutes.content}


class _DepartmentMarkForm(forms.Form):
    """One department of the session's organisation and its grade ("" clears it)."""

    department = forms.ModelChoiceField(queryset=Department.objects.none(), error_messages=_DEPARTMENT_ERRORS)

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(organisation_id=meeting.organisation_id)


class PlenaryOrderForm(_DepartmentMarkForm):
    order = forms.ChoiceField(choices=[("", _("未评"))] + DepartmentOrder.choices, required=False,
                              error_messages={"invalid_choice": _("未知的会场纪律评定。")})


class CoordinationForm(_DepartmentMarkForm):
    grade = forms.ChoiceField(choices=[("", _("未评"))] + Coordination.choices, required=False,
                              error_messages={"invalid_choice": _("未知的配合评定。")})


class DisruptionForm(_WithPerson):
    note = forms.CharField(label=_("情况说明"), max_length=200, required=False)


class PersonForm(_WithPerson):
    pass


class ActivityReportForm(forms.Form):
    overall_grade = forms.ChoiceField(label=_("活动总评"), choices=GRADE_CHOICES, required=False)
    summary = forms.CharField(label=_("活动总结"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    items_returned_on = forms.DateField(label=_("物品归还日期"), required=False, widget=_DateInput(),
                                        input_formats=[DATE], help_text=_("未归还请留空。"))
    materials_collected_on = forms.DateField(label=_("资料收集日期"), required=False, widget=_DateInput(),
                                             input_formats=[DATE], help_text=_("未收集请留空。"))

    @classmethod
    def initial_of(cls, report) -> dict:
        if report is None:
            return {}
        return {"overall_grade": report.overall_grade, "summary": report.summary,
                "items_returned_on": report.items_returned_on,
                "materials_collected_on": report.materials_collected_on}


class PerformanceForm(forms.Form):
    """Every participant's 表现出色 / 总结干练 / note, in one POST: fields ``outstanding_<id>``,
    ``concise_<id>`` and ``note_<id>`` for each participant id in ``people``."""

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.people = list(people)
        for pk in self.people:
            self.fields[f"outstanding_{pk}"] = forms.BooleanField(required=False)
            self.fields[f"concise_{pk}"] = forms.BooleanField(required=False)
            self.fields[f"note_{pk}"] = forms.CharField(max_length=200, required=False)

    def entries(self) -> list[dict]:
        data = self.cleaned_data
        return [{"person": pk, "outstanding": data[f"outstanding_{pk}"], "concise_summary": data[f"concise_{pk}"],
                 "note": data[f"note_{pk}"]} for pk in self.people]


class ProposalForm(_WithPerson):
    person = _person_field(label=_("提出人"))
    title = forms.CharField(label=_("方案或构想"), max_length=200,
                            error_messages={"required": _("请填写方案或构想。")})
    novel = forms.BooleanField(label=_("新颖可行"), required=False)
    adopted = forms.BooleanField(label=_("活动前被采纳"), required=False)


class ProposalUpdateForm(forms.Form):
    novel = forms.BooleanField(label=_("新颖可行"), required=False)
    adopted = forms.BooleanField(label=_("活动前被采纳"), required=False)
