"""The modules a tenant can switch on (SPEC OR-5).

A module owns URL namespaces; ``TenantMiddleware.process_view`` answers 404 for a namespace whose module is
off for the request's tenant, and the menu (orgs.context_processors) shows a module's entries only where it
is on. Later apps register their namespaces and menu entries here, so switching a module off hides all of it.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class MenuEntry:
    """A menu item. It is the current one on its own URL and below it — or, with ``exact``, on its URL only
    (an entry at a namespace's root would otherwise claim every page of the namespace) — and on the pages of
    its section at other paths, named in ``also``: below a URL that takes no argument, or on the pages of a
    URL name that takes some. The longest match wins (orgs.context_processors)."""

    label: str
    url_name: str
    permission: str
    exact: bool = False
    also: tuple[str, ...] = ()


@dataclass(frozen=True)
class Module:
    key: str
    label: str
    description: str
    namespaces: tuple[str, ...]
    menu: tuple[MenuEntry, ...] = field(default=())


MODULES: dict[str, Module] = {
    module.key: module
    for module in (
        Module(
            "alliance",
            _("朋辈互助联盟（会议考勤与积分）"),
            _("会议、值班、活动、任务考勤；70 分制干事考核、警告—记过—劝退处分与评优。"),
            ("attendance", "scoring"),
            (
                MenuEntry(_("会议考勤"), "attendance:meeting_list", "attendance.list_meetings"),
                MenuEntry(_("日常任务"), "attendance:task_list", "attendance.list_tasks"),
                MenuEntry(_("我的考勤"), "attendance:my_attendance", "attendance.offer_own"),
                MenuEntry(_("考核积分"), "scoring:organisation_list", "scoring.view_scores",
                          also=("scoring:award_home", "scoring:entries_home", "scoring:rulebook_list")),
                MenuEntry(_("我的积分"), "scoring:my_score", "scoring.offer_own_score", exact=True),
            ),
        ),
        Module(
            "psych_network",
            _("心理健康四级网络"),
            _("月度排查、心理危机预警库、个案报告、转介与辅导员月度风险汇总。"),
            ("psych_network",),
        ),
        Module(
            "dormlink",
            _("学生党员联系寝室"),
            _("党员联系 2–3 间寝室、走访记录、双周反馈表及导出。"),
            ("dormlink",),
        ),
        Module(
            "union",
            _("学生会改革"),
            _("学生会机构与人数限制、干部资格、学代会与述职评议。"),
            ("union",),
        ),
        Module(
            "community",
            _("一站式学生社区"),
            _("社区与网格长、学期活动指标、领导接访、后勤反馈、文明寝室评比。"),
            ("community",),
        ),
    )
}

NAMESPACE_TO_MODULE: dict[str, str] = {ns: m.key for m in MODULES.values() for ns in m.namespaces}


def module_choices():
    return [(m.key, m.label) for m in MODULES.values()]


def module_for_namespace(namespace: str | None) -> str | None:
    """The module that owns a URL namespace (its first segment, for nested namespaces), if any."""
    if not namespace:
        return None
    return NAMESPACE_TO_MODULE.get(namespace.split(":")[0])
