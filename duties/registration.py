"""What the duty engine adds to the shared pages (found by orgs.modules.discover): the to-do at the top of the
home page, and the duties page on the school admin's card. It belongs to no module: every school has it."""

from django.utils.translation import gettext_lazy as _

from duties.views.duties import todo_section
from members.home import HomeSection, Link, register_home_section, register_role_links
from members.models import Role

#: First on everyone's home page: what is due from them and what is overdue below them.
TODO = register_home_section(HomeSection("duties/_todo.html", todo_section, order=10))

register_role_links(Role.TENANT_ADMIN, Link(_("待办与提醒"), "duties:duty_list", "duties.view_duty_table"))
