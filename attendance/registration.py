"""What attendance adds to the shared pages (found by orgs.modules.discover): it declares the "alliance" module
(the peer-support alliance: attendance here, scores in scoring, which extends it), its menu entries and the
links of the alliance's roles on the home page."""

from django.utils.translation import gettext_lazy as _

from members.home import Link, register_role_links
from members.models import Role
from orgs.modules import MenuEntry, register_module

MODULE = "alliance"

register_module(
    MODULE,
    _("朋辈互助联盟（会议考勤与积分）"),
    _("会议、值班、活动、任务考勤；70 分制干事考核、警告—记过—劝退处分与评优。"),
    namespaces=("attendance",),
    menu=(
        MenuEntry(_("会议考勤"), "attendance:meeting_list", "attendance.list_meetings"),
        MenuEntry(_("日常任务"), "attendance:task_list", "attendance.list_tasks"),
        MenuEntry(_("我的考勤"), "attendance:my_attendance", "attendance.offer_own"),
    ),
)

MEETINGS = Link(_("会议考勤"), "attendance:meeting_list", "attendance.list_meetings", module=MODULE)
TASKS = Link(_("日常任务"), "attendance:task_list", "attendance.list_tasks", module=MODULE)

register_role_links(Role.OFFICE, MEETINGS, TASKS)
register_role_links(Role.PRESIDENT, MEETINGS)
register_role_links(Role.DEPARTMENT_HEAD, MEETINGS, TASKS)
