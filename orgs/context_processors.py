"""The menu: core entries by permission, module entries only where the tenant has the module on."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from orgs.modules import MODULES, MenuEntry

CORE_MENU = (
    MenuEntry(_("学院与班级"), "orgs:college_list", "orgs.browse_structure", also=("orgs:class_list",)),
    MenuEntry(_("宿舍楼"), "orgs:building_list", "orgs.browse_structure", also=("orgs:room_detail",)),
    MenuEntry(_("学生组织"), "orgs:organisation_list", "orgs.browse_structure", also=("orgs:department_detail",)),
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
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else None
    items = []
    for entry in entries:
        if user.has_perm(entry.permission):
            url = reverse(entry.url_name)
            items.append({"label": entry.label, "url": url, "match": _match(entry, url, path, view_name)})
    # One current entry: the longest match (/attendance/tasks/ is 日常任务, not also 会议考勤 at /attendance/).
    longest = max((i["match"] for i in items), default=0)
    for item in items:
        match = item.pop("match")
        item["active"] = match > 0 and match == longest
    return items


def _match(entry: MenuEntry, url: str, path: str, view_name: str | None) -> int:
    """How long a prefix of ``path`` the entry claims (0: none; a page named in ``also``: all of it)."""
    if entry.exact:
        return len(url) if path == url else 0
    lengths = [len(url)] if path.startswith(url) else []
    for name in entry.also:
        if name == view_name:
            lengths.append(len(path))
            continue
        try:
            prefix = reverse(name)
        except NoReverseMatch:  # a URL that takes arguments: claimed by its name only
            continue
        if path.startswith(prefix):
            lengths.append(len(prefix))
    return max(lengths, default=0)


def navigation(request):
    return {"menu": menu_for(request), "tenant": getattr(request, "tenant", None)}
