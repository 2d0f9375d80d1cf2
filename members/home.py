"""What the home page offers each role: a card per current role assignment with the links it can use now.

Links are declared as data (label, URL name, permission, module); a link whose permission the user lacks, or
whose module the school has off, is left out, so the card shows only what works. The ground floor's own pages
(structure, people, imports, policies) are declared here; each app adds its pages to a role's card with
``register_role_links`` in its ``registration.py`` (orgs/modules.py: ``discover``), after the links so far, in
the order of INSTALLED_APPS.

Above the cards, apps add *sections* (``register_home_section``): a template and a function of the request that
returns its context, or None when the section has nothing to say to that user (the to-do of the duty engine).
"""

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from members.models import SCOPE_FIELDS, Role, Scope


@dataclass(frozen=True)
class Link:
    label: str
    url_name: str
    permission: str | None = None
    module: str | None = None  # shown only where the school has this module on


STRUCTURE = (
    Link(_("学院与班级"), "orgs:college_list", "orgs.browse_structure"),
    Link(_("宿舍楼"), "orgs:building_list", "orgs.browse_structure"),
    Link(_("学生组织"), "orgs:organisation_list", "orgs.browse_structure"),
)
PEOPLE = Link(_("人员名单"), "members:person_list", "members.list_person")

#: Links a role has whatever its scope object (tenant-wide roles have no scope object to link to): the ground
#: floor's here, the apps' added by ``register_role_links``.
ROLE_LINKS: dict[str, tuple[Link, ...]] = {
    Role.TENANT_ADMIN: (
        *STRUCTURE, PEOPLE, Link(_("导入与导出"), "members:import_home", "members.import_people"),
        Link(_("政策参数"), "orgs:policy_list", "orgs.view_policy"),
    ),
    Role.CENTRE_STAFF: (STRUCTURE[0], PEOPLE),
    Role.LOGISTICS: (STRUCTURE[1],),
}


def register_role_links(role: str, *links: Link) -> None:
    """Add an app's links to the card of ``role``, after the links it has so far."""
    if role not in Role.values:
        raise ImproperlyConfigured(f"Unknown role {role!r}.")
    ROLE_LINKS[role] = (*ROLE_LINKS.get(role, ()), *links)


@dataclass(frozen=True)
class HomeSection:
    """A block at the top of the home page: ``template`` is included with the dict ``context(request)``
    returns as ``section`` (None: the block is left out for that request). Lower ``order`` comes first."""

    template: str
    context: Callable[..., dict | None]
    order: int = 100


#: The sections apps add to the top of the home page, in display order.
HOME_SECTIONS: list[HomeSection] = []


def register_home_section(section: HomeSection) -> HomeSection:
    """Add an app's section to the top of the home page (once: registering the same section again is a no-op)."""
    if section not in HOME_SECTIONS:
        HOME_SECTIONS.append(section)
        HOME_SECTIONS.sort(key=lambda s: s.order)
    return section


def home_sections(request) -> list[dict]:
    """The sections that have something for this request: ``{"template", "context"}`` each, in order."""
    found = []
    for section in HOME_SECTIONS:
        context = section.context(request)
        if context is not None:
            found.append({"template": section.template, "context": context})
    return found


#: The scope object's own page, and the filter of the people list that shows its people.
SCOPE_PAGES = {
    "college": (_("查看学院"), "orgs:college_detail", "college_id"),
    "school_class": (_("查看班级"), "orgs:class_detail", "schoolclass_id"),
    "organisation": (_("查看组织及成员"), "orgs:organisation_detail", "organisation_id"),
    "department": (_("查看部门及成员"), "orgs:department_detail", "department_id"),
    "room": (_("查看寝室"), "orgs:room_detail", "room_id"),
}


def _link(label, url_name, query=None, **kwargs) -> dict:
    url = reverse(url_name, kwargs=kwargs or None)
    return {"label": label, "url": f"{url}?{urlencode(query)}" if query else url}


def _scope_links(user, assignment) -> list[dict]:
    """The scope object's page and the people list (filtered to a college or class); a department's organisation."""
    browse, list_people = user.has_perm("orgs.browse_structure"), user.has_perm(PEOPLE.permission)
    links = []
    for field, (label, url_name, kwarg) in SCOPE_PAGES.items():
        obj_id = getattr(assignment, f"{field}_id")
        if obj_id is None:
            continue
        if browse:
            links.append(_link(label, url_name, **{kwarg: obj_id}))
        if field == "college" and list_people:
            links.append(_link(PEOPLE.label, PEOPLE.url_name, {"college": obj_id}))
        if field == "school_class" and list_people:
            query = {"college": assignment.school_class.college_id, "school_class": obj_id}
            links.append(_link(PEOPLE.label, PEOPLE.url_name, query))
        if field == "department" and browse:
            org_id = assignment.department.organisation_id
            links.append(_link(_("所属组织"), "orgs:organisation_detail", organisation_id=org_id))
        if field in ("organisation", "department") and list_people:
            links.append(_link(PEOPLE.label, PEOPLE.url_name))
    return links


def role_cards(user, assignments) -> list[dict]:
    """One card per assignment: the role's name, its scope object and the links usable now."""
    cards = []
    for assignment in assignments:
        links = _scope_links(user, assignment)
        links += [
            {"label": link.label, "url": reverse(link.url_name)}
            for link in ROLE_LINKS.get(assignment.role, ())
            if (link.permission is None or user.has_perm(link.permission))
            and (link.module is None or (user.tenant_id is not None and user.tenant.has_module(link.module)))
        ]
        if assignment.role == Role.TENANT_ADMIN and user.is_staff:
            links.append({"label": _("后台管理"), "url": reverse("admin:index")})
        field = next((f for f in SCOPE_FIELDS if getattr(assignment, f"{f}_id") is not None), Scope.TENANT)
        cards.append({
            "assignment": assignment, "scope_kind": Scope(field).label, "scope": assignment.scope_object or "",
            "links": links,
        })
    return cards
