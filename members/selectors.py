"""Reads of people and memberships. Every function takes the user or tenant explicitly."""

from django.db.models import Q, QuerySet

from members.models import Membership, Person, Role, RoleAssignment
from members.roles import grants

#: Roles that see the people inside their scope, and how their scope reaches a person.
PEOPLE_ROLES = (
    Role.TENANT_ADMIN, Role.CENTRE_STAFF, Role.COUNSELLOR, Role.CLASS_TEACHER,
    Role.COLLEGE_PARTY_COMMITTEE, Role.OFFICE, Role.PRESIDENT, Role.DEPARTMENT_HEAD, Role.BRANCH_SECRETARY,
)
#: Roles that see political status, within their scope (plus the person themselves).
POLITICAL_STATUS_ROLES = (
    Role.TENANT_ADMIN, Role.COUNSELLOR, Role.COLLEGE_PARTY_COMMITTEE, Role.BRANCH_SECRETARY,
)
#: Roles that see disciplinary records and academic standing, within their scope (plus the person).
DISCIPLINE_ROLES = (Role.TENANT_ADMIN, Role.COUNSELLOR, Role.COLLEGE_PARTY_COMMITTEE)


def _person_q(user, roles) -> Q | None:
    """A filter on Person for the people the user reaches through ``roles``; None when it reaches nobody."""
    colleges, classes, orgs, departments = set(), set(), set(), set()
    everyone = False
    for g in grants(user):
        if g.role not in roles:
            continue
        if g.role in (Role.TENANT_ADMIN, Role.CENTRE_STAFF):
            everyone = True
        elif g.role in (Role.OFFICE, Role.PRESIDENT, Role.BRANCH_SECRETARY):
            orgs.add(g.organisation_id)
        elif g.role == Role.DEPARTMENT_HEAD:
            departments.add(g.department_id)
        else:  # counsellor, class teacher, college party committee: a college or a class
            if g.college_id:
                colleges.add(g.college_id)
            if g.school_class_id:
                classes.add(g.school_class_id)
    if everyone:
        return Q()
    q = Q(pk__in=[])
    if colleges:
        q |= Q(college_id__in=colleges)
    if classes:
        q |= Q(school_class_id__in=classes)
    if orgs or departments:
        current = Membership.objects.filter(end__isnull=True).filter(
            Q(organisation_id__in=orgs) | Q(department_id__in=departments)
        )
        q |= Q(pk__in=current.values("person_id"))
    return None if q == Q(pk__in=[]) else q


def can_list_people(user) -> bool:
    return _person_q(user, PEOPLE_ROLES) is not None


def people_visible_to(user) -> QuerySet[Person]:
    """The people a user may look up: those their roles reach, and always themselves."""
    q = _person_q(user, PEOPLE_ROLES)
    if user.person_id is not None:
        q = Q(pk=user.person_id) if q is None else q | Q(pk=user.person_id)
    if q is None:
        return Person.objects.none()
    return Person.objects.filter(q)


def person_reached_by(user, person, roles) -> bool:
    if user.person_id is not None and user.person_id == person.pk:
        return True
    q = _person_q(user, roles)
    return q is not None and Person.objects.filter(q, pk=person.pk).exists()


def person_list(*, user, search: str = "", college_id=None, school_class_id=None) -> QuerySet[Person]:
    people = people_visible_to(user).select_related("college", "school_class", "room__building")
    if search:
        people = people.filter(Q(name__contains=search) | Q(number__startswith=search))
    if college_id:
        people = people.filter(college_id=college_id)
    if school_class_id:
        people = people.filter(school_class_id=school_class_id)
    return people.order_by("number")


def person_memberships(*, person) -> QuerySet[Membership]:
    """A person's whole membership history, current first."""
    return (
        Membership.objects.filter(person=person)
        .select_related("organisation", "department", "position", "term")
        .order_by("end", "-start")
    )


def organisation_members(*, user, organisation, current_only: bool = True) -> QuerySet[Membership]:
    """Memberships of an organisation whose person the user may see."""
    rows = Membership.objects.filter(organisation=organisation, person__in=people_visible_to(user))
    if current_only:
        rows = rows.filter(end__isnull=True)
    return rows.select_related("person", "department", "position").order_by(
        "department__order", "position__rank", "person__number"
    )


def user_role_assignments(*, user) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(user=user).select_related(
        "college", "school_class", "organisation", "department", "room__building"
    )
