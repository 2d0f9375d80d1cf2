"""Forms of the attendance pages. Querysets over tenant-owned rows are built in ``__init__`` (inside the
request's tenant scope) and limited to the organisations whose office the user is."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attendance.models import Audience, MeetingKind
from members.models import Person, Role
from members.roles import scope_ids
from members.selectors import memberships_on
from orgs.calendar import local_date
from orgs.models import Department, Organisation

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class _DateTimeLocal(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self):
        super().__init__(format=DATETIME_LOCAL)


class _NameChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class _DepartmentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.organisation.name} · {obj.name}"


class _PersonChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.number}）"


class _PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.number}）"


def _current_members(org_ids):
    today = local_date(timezone.now())
    current = memberships_on(organisation_ids=org_ids, on=today)
    return Person.objects.filter(pk__in=current.values("person_id")).order_by("number")


class MeetingForm(forms.Form):
    organisation = _NameChoice(label=_("组织"), queryset=Organisation.objects.none())
    kind = forms.ChoiceField(label=_("类型"), choices=[c for c in MeetingKind.choices if c[0] != MeetingKind.DUTY])
    title = forms.CharField(label=_("名称"), max_length=100)
    stars = forms.TypedChoiceField(label=_("星级"), coerce=int, initial=3,
                                   choices=[(n, _("%(n)s 星") % {"n": n}) for n in range(1, 6)],
                                   help_text=_("三星级及以上会议迟到、旷会扣分更重（第七条 细则 3–4）。"))
    starts_at = forms.DateTimeField(label=_("开始时间"), widget=_DateTimeLocal(), input_formats=[DATETIME_LOCAL])
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=_DateTimeLocal(), input_formats=[DATETIME_LOCAL])
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    audience = forms.ChoiceField(label=_("应到人员"), choices=Audience.choices, initial=Audience.DEPARTMENT)
    department = _DepartmentChoice(label=_("部门"), queryset=Department.objects.none(), required=False,
                                   help_text=_("部门例会、或应到人员为一个部门时填写。"))
    chosen = _PersonChoices(label=_("指定人员"), queryset=Person.objects.none(), required=False,
                            help_text=_("应到人员为“指定人员”时选择（可多选）。"))
    minutes_taker = _PersonChoice(label=_("会议记录人"), queryset=Person.objects.none(), required=False)
    weekly = forms.BooleanField(label=_("每周重复至学期结束"), required=False,
                                help_text=_("仅用于部门例会：本学期每周同一时间一次。"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        org_ids = scope_ids(user, Role.OFFICE, "organisation_id")
        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=org_ids).order_by("name")
        self.fields["department"].queryset = Department.objects.filter(
            organisation_id__in=org_ids).select_related("organisation").order_by("organisation__name", "name")
        people = _current_members(org_ids)
        self.fields["chosen"].queryset = people
        self.fields["minutes_taker"].queryset = people
        if len(org_ids) == 1:
            self.fields["organisation"].initial = next(iter(org_ids))
        self.fields["chosen"].widget.attrs["size"] = 8

    def clean(self):
        data = super().clean()
        if data.get("weekly") and data.get("kind") != MeetingKind.DEPARTMENT:
            self.add_error("weekly", _("只有部门例会可以每周重复。"))
        return data


class MeetingEditForm(forms.Form):
    """Editing a session (AT-1): the create form's fields except the organisation, kind and audience. The
    minutes-taker is chosen among the session's expected attendees."""

    title = MeetingForm.base_fields["title"]
    stars = MeetingForm.base_fields["stars"]
    starts_at = MeetingForm.base_fields["starts_at"]
    ends_at = MeetingForm.base_fields["ends_at"]
    place = MeetingForm.base_fields["place"]
    minutes_taker = _PersonChoice(label=_("会议记录人"), queryset=Person.objects.none(), required=False,
                                  help_text=_("须为本次会议的应到人员。"))

    def __init__(self, *args, meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["minutes_taker"].queryset = Person.objects.filter(
            attendances__meeting=meeting).order_by("number")

    @classmethod
    def initial_of(cls, meeting) -> dict:
        return {"title": meeting.title, "stars": meeting.stars, "starts_at": timezone.localtime(meeting.starts_at),
                "ends_at": timezone.localtime(meeting.ends_at), "place": meeting.place,
                "minutes_taker": meeting.minutes_taker_id}


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=200)


class LeaveForm(forms.Form):
    reason = forms.CharField(label=_("请假事由"), max_length=200)


class MeetingFilterForm(forms.Form):
    organisation = _NameChoice(label=_("组织"), queryset=Organisation.objects.none(), required=False,
                               empty_label=_("全部组织"))
    department = _DepartmentChoice(label=_("部门"), queryset=Department.objects.none(), required=False,
                                   empty_label=_("全部部门"))
    month = forms.DateField(label=_("月份"), required=False, input_formats=["%Y-%m"],
                            widget=forms.DateInput(attrs={"type": "month"}, format="%Y-%m"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")
        self.fields["department"].queryset = Department.objects.select_related("organisation").order_by(
            "organisation__name", "name")

    def filters(self) -> dict:
        self.is_valid()
        return {key: value for key, value in self.cleaned_data.items() if value not in (None, "")}


def default_start() -> dt.datetime:
    now = timezone.localtime()
    return now.replace(hour=19, minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
