"""Forms of the task pages (日常任务, AT-5). Querysets over tenant-owned rows are built in ``__init__`` (inside the
request's tenant scope) and limited to the organisations whose office the user is. The services validate the
rest (deadline, audience, files) with Chinese messages."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attendance.forms.meetings import (
    DATETIME_LOCAL,
    _current_members,
    _DateTimeLocal,
    _DepartmentChoice,
    _NameChoice,
    _PersonChoices,
)
from attendance.models import Audience
from attendance.services.tasks import ATTACHMENT_TYPES
from members.models import Person, Role
from members.roles import reach
from orgs.models import Department, Organisation

#: The task list's filter on a task's state.
STATES = (("open", _("进行中")), ("closed", _("已截止或已取消")))


class TaskForm(forms.Form):
    organisation = _NameChoice(label=_("组织"), queryset=Organisation.objects.none())
    title = forms.CharField(label=_("任务名称"), max_length=100)
    description = forms.CharField(label=_("任务要求"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    deadline = forms.DateTimeField(label=_("截止时间"), widget=_DateTimeLocal(), input_formats=[DATETIME_LOCAL])
    audience = forms.ChoiceField(label=_("布置对象"), choices=Audience.choices, initial=Audience.DEPARTMENT)
    department = _DepartmentChoice(label=_("部门"), queryset=Department.objects.none(), required=False,
                                   help_text=_("布置给一个部门时填写。"))
    chosen = _PersonChoices(label=_("指定人员"), queryset=Person.objects.none(), required=False,
                            help_text=_("布置对象为“指定人员”时选择（可多选）。"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        org_ids = reach(user, Role.OFFICE).organisations
        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=org_ids).order_by("name")
        self.fields["department"].queryset = Department.objects.filter(
            organisation_id__in=org_ids).select_related("organisation").order_by("organisation__name", "name")
        self.fields["chosen"].queryset = _current_members(org_ids)
        if len(org_ids) == 1:
            self.fields["organisation"].initial = next(iter(org_ids))
        self.fields["chosen"].widget.attrs["size"] = 8


class TaskEditForm(forms.Form):
    """Editing a task: its title, requirements and deadline. The assignees are not editable."""

    title = TaskForm.base_fields["title"]
    description = TaskForm.base_fields["description"]
    deadline = TaskForm.base_fields["deadline"]

    @classmethod
    def initial_of(cls, task) -> dict:
        return {"title": task.title, "description": task.description, "deadline": timezone.localtime(task.deadline)}


class TaskFilterForm(forms.Form):
    organisation = _NameChoice(label=_("组织"), queryset=Organisation.objects.none(), required=False,
                               empty_label=_("全部组织"))
    department = _DepartmentChoice(label=_("部门"), queryset=Department.objects.none(), required=False,
                                   empty_label=_("全部部门"))
    state = forms.ChoiceField(label=_("状态"), choices=(("", _("全部任务")), *STATES), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")
        self.fields["department"].queryset = Department.objects.select_related("organisation").order_by(
            "organisation__name", "name")

    def filters(self) -> dict:
        self.is_valid()
        return {key: value for key, value in self.cleaned_data.items() if value not in (None, "")}


class _MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class _Files(forms.Field):
    """The uploaded files, as they are: their count, size and emptiness are the service's checks."""

    widget = _MultipleFileInput

    def to_python(self, data):
        if not data:
            return []
        return [f for f in (data if isinstance(data, list | tuple) else [data]) if f]


class TaskSubmitForm(forms.Form):
    note = forms.CharField(label=_("提交说明"), required=False, max_length=2000,
                           widget=forms.Textarea(attrs={"rows": 3}))
    files = _Files(label=_("附件"), required=False, widget=_MultipleFileInput(attrs={
        "accept": ",".join(f".{extension}" for extension in ATTACHMENT_TYPES)}))


def default_deadline() -> dt.datetime:
    """Three days from now at 22:00, the usual evening deadline."""
    now = timezone.localtime()
    return now.replace(hour=22, minute=0, second=0, microsecond=0) + dt.timedelta(days=3)
