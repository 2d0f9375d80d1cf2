"""The menu: core entries by permission, module entries only where the tenant has the module on."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from orgs.modules import MODULES, MenuEntry

CORE_MENU = (
    MenuEntry(_("学院与班级"), "orgs:college_list", "orgs.browse_structure"),
    MenuEntry(_("宿舍楼"), "orgs:building_list", "orgs.browse_structure"),
    MenuEntry(_("学生组织"), "orgs:organisation_list", "orgs.browse_structure"),
    MenuEntry(_("人员"), "members:person_list", "members.list_person"),
    MenuEntry(_("导入"), "members:import_home", "members.import_people"),
    MenuEntry(_("政策参数"), "orgs:policy_list", "orgs.view_policy"),
)
PLATFORM_MENU = (MenuEntry(_("学校（租户）"), "orgs:tenant_list", "orgs.manage_tenants"),)


def menu_for(request) -> list[dict]:
    user = request.user
    if not user.is_authenticated:
        return []
    entries = list(PLATFORM_MENU) + list(CORE_MENU)
    tenant = getattr(request, "tenant", None)
    if tenant is not None:
        for module in MODULES.values():
            if tenant.has_module(module.key):
                entries.extend(module.menu)
    path = request.path
    items = []
    for entry in entries:
        if user.has_perm(entry.permission):
            url = reverse(entry.url_name)
            items.append({"label": entry.label, "url": url, "active": path.startswith(url)})
    # One current entry: the longest match (/attendance/tasks/ is 日常任务, not also 会议考勤 at /attendance/).
    longest = max((len(i["url"]) for i in items if i["active"]), default=0)
    for item in items:
        item["active"] = item["active"] and len(item["url"]) == longest
    return items


def navigation(request):
    return {"menu": menu_for(request), "tenant": getattr(request, "tenant", None)}
