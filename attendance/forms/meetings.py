"""Forms of the attendance pages. Querysets over tenant-owned rows are built in ``__init__`` (inside the
request's tenant scope) and limited to the organisations whose office the user is."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attendance.models import Audience, MeetingKind
from members.models import Person, Role
from members.roles import reach
from members.selectors import memberships_on
from orgs.calendar import local_date, school_tz
from orgs.forms import IdsChoiceField
from orgs.models import Department, Organisation

DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class _DateTimeLocal(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=DATETIME_LOCAL)


_END_AFTER_START = _("结束时间必须晚于开始时间。")


def _end_widget():
    """The end field follows the start (static/js/forms.js keeps the duration when the start moves) and the
    browser refuses an end not after the start, with the same message the server gives."""
    return _DateTimeLocal(attrs={"data-follows": "starts_at", "data-msg-order": _END_AFTER_START})


def _check_times(form, data):
    starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
    if starts_at and ends_at and ends_at <= starts_at:
        form.add_error("ends_at", _END_AFTER_START)


class _NameChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class _DepartmentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.organisation.name} · {obj.name}"


class _PersonChoices(IdsChoiceField):
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
    ends_at = forms.DateTimeField(label=_("结束时间"), widget=_end_widget(), input_formats=[DATETIME_LOCAL],
                                  help_text=_("改动开始时间时，结束时间随之移动，会议时长不变。"))
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
        org_ids = reach(user, Role.OFFICE).organisations
        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=org_ids).order_by("name")
        self.fields["department"].queryset = Department.objects.filter(
            organisation_id__in=org_ids).select_related("organisation").order_by("organisation__name", "name")
        people = _current_members(org_ids)
        self.fields["chosen"].queryset = people
        self.fields["minutes_taker"].queryset = people
        if len(org_ids) == 1:
            self.fields["organisation"].initial = next(iter(org_ids))
        self.fields["chosen"].widget.attrs["size"] = 8
        # Shown only when the kind or audience needs them (static/js/forms.js); without script all are shown.
        for name, when in (("department", "audience=department kind=department"), ("chosen", "audience=chosen"),
                           ("weekly", "kind=department")):
            self.fields[name].widget.attrs["data-show-when"] = when

    def clean(self):
        """The fields the chosen kind and audience do not need are hidden on the page (static/js/forms.js) and
        ignored here, so a value left in a hidden field never reaches the session."""
        data = super().clean()
        _check_times(self, data)
        kind, audience = data.get("kind"), data.get("audience")
        if audience != Audience.CHOSEN:
            data["chosen"] = []
        if audience != Audience.DEPARTMENT and kind != MeetingKind.DEPARTMENT:
            data["department"] = None
        if kind != MeetingKind.DEPARTMENT:
            data["weekly"] = False
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

    def clean(self):
        data = super().clean()
        _check_times(self, data)
        return data

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


#: The usual hour of a student organisation's meetings: in the evening, after classes.
MEETING_HOUR = 19
#: From this hour on nothing is held any more the same evening, so the form proposes tomorrow.
LAST_START_HOUR = 22


def default_start(now: dt.datetime | None = None) -> dt.datetime:
    """The start the new-meeting form proposes, as an office user would pick it (Shanghai time):

    * before 19:00: today 19:00, the usual evening meeting, created in advance the same day;
    * 19:00 to 22:00: the half-hour that has begun (19:40 → 19:30): the meeting is under way and the office
      creates it to take attendance now, and a start in the future would refuse late marks;
    * from 22:00: tomorrow 19:00 — nothing more is held tonight.
    """
    now = (now or timezone.now()).astimezone(school_tz())
    evening = now.replace(hour=MEETING_HOUR, minute=0, second=0, microsecond=0)
    if now < evening:
        return evening
    if now.hour < LAST_START_HOUR:
        return now.replace(minute=0 if now.minute < 30 else 30, second=0, microsecond=0)
    return evening + dt.timedelta(days=1)
