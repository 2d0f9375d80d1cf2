"""The modules of the product whose app is not built yet (SPEC OR-5): declared here so that the platform admin
can already switch them on for a school (``Tenant.modules`` holds their keys, the demo schools use them), and each
owns the URL namespace its app will have, so its pages answer 404 where it is off from the first day.

When an app is built, its own ``registration.py`` declares the module (the same key, label and namespace) and its
line here goes: a key declared twice stops the startup. Imported by config.apps once the apps are ready.
"""

from django.utils.translation import gettext_lazy as _

from orgs.modules import register_module

PLANNED = (
    ("psych_network", _("心理健康四级网络"), _("月度排查、心理危机预警库、个案报告、转介与辅导员月度风险汇总。")),
    ("dormlink", _("学生党员联系寝室"), _("党员联系 2–3 间寝室、走访记录、双周反馈表及导出。")),
    ("union", _("学生会改革"), _("学生会机构与人数限制、干部资格、学代会与述职评议。")),
    ("community", _("一站式学生社区"), _("社区与网格长、学期活动指标、领导接访、后勤反馈、文明寝室评比。")),
)

for key, label, description in PLANNED:
    register_module(key, label, description, namespaces=(key,), planned=True)
