"""What scoring adds to the shared pages (found by orgs.modules.discover): its namespace and menu entries join
the "alliance" module that attendance declares, and its pages join the alliance roles' home cards after
attendance's."""

from django.utils.translation import gettext_lazy as _

from members.home import Link, register_role_links
from members.models import Role
from orgs.modules import MenuEntry, extend_module

MODULE = "alliance"  # declared by attendance/registration.py

extend_module(
    MODULE,
    namespaces=("scoring",),
    menu=(
        MenuEntry(_("考核积分"), "scoring:organisation_list", "scoring.view_scores",
                  also=("scoring:award_home", "scoring:entries_home", "scoring:rulebook_list")),
        MenuEntry(_("我的积分"), "scoring:my_score", "scoring.offer_own_score", exact=True),
    ),
)

SCORES = Link(_("考核积分"), "scoring:organisation_list", "scoring.view_scores", module=MODULE)
ENTRIES = Link(_("加减分与违纪"), "scoring:entries_home", "scoring.view_scores", module=MODULE)
AWARDS = Link(_("评优"), "scoring:award_home", "scoring.view_awards", module=MODULE)
RULEBOOK = Link(_("考核细则"), "scoring:rulebook_list", "scoring.view_rulebook", module=MODULE)

register_role_links(Role.OFFICE, SCORES, ENTRIES, AWARDS, RULEBOOK)
register_role_links(Role.PRESIDENT, SCORES, ENTRIES, AWARDS, RULEBOOK)
register_role_links(Role.DEPARTMENT_HEAD, SCORES, AWARDS)
