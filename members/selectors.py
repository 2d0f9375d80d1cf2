"""Reads of people and memberships. Every function takes the user or tenant explicitly."""

import datetime as dt

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db.models import F, Q, QuerySet, Sum
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_scopes import scopes_disabled

from members.imports.reader import encoding_choices
from members.models import (
    AcademicStanding,
    DisciplinaryRecord,
    ImportJob,
    Membership,
    Person,
    Role,
    RoleAssignment,
    User,
)
from members.roles import reach
from orgs.models import PositionCategory
from orgs.tenancy import tenant_scope

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
    reached = reach(user, *roles)
    if reached.school:
        return Q()
    colleges, classes = reached.colleges, reached.classes
    orgs, departments = reached.organisations, reached.departments
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
    if q is not None and not q:  # Q(): the whole school (and ``Q() | x`` would be just ``x``)
        return Person.objects.all()
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


def person_list(
    *, user, search: str = "", college_id=None, school_class_id=None, room_id=None
) -> QuerySet[Person]:
    people = people_visible_to(user).select_related("college", "school_class", "room__building")
    if search:
        people = people.filter(Q(name__contains=search) | Q(number__startswith=search))
    if college_id:
        people = people.filter(college_id=college_id)
    if school_class_id:
        people = people.filter(school_class_id=school_class_id)
    if room_id:
        people = people.filter(room_id=room_id)
    return people.order_by("number")


def person_for_user(*, user) -> QuerySet[Person]:
    """The people a user may open, with what a person's page shows joined (sensitive fields excluded)."""
    return people_visible_to(user).select_related("college", "major", "school_class", "room__building")


def person_standings(*, person) -> QuerySet[AcademicStanding]:
    """Sensitive: only for users with members.view_discipline on the person."""
    return AcademicStanding.objects.filter(person=person).select_related("term").order_by("-term__start")


def person_discipline(*, person) -> QuerySet[DisciplinaryRecord]:
    """Sensitive: only for users with members.view_discipline on the person."""
    return DisciplinaryRecord.objects.filter(person=person).order_by("-decided_on", "-pk")


def person_memberships(*, person, current_only: bool = False) -> QuerySet[Membership]:
    """A person's whole membership history (joins, position changes, leaving), current first."""
    rows = Membership.objects.filter(person=person)
    if current_only:
        rows = rows.filter(end__isnull=True)
    return (
        rows.select_related("organisation", "department", "position", "term")
        .order_by(F("end").desc(nulls_first=True), "-start", "-pk")
    )


def organisation_members(*, user, organisation, current_only: bool = True) -> QuerySet[Membership]:
    """Memberships of an organisation whose person the user may see."""
    rows = Membership.objects.filter(organisation=organisation, person__in=people_visible_to(user))
    if current_only:
        rows = rows.filter(end__isnull=True)
    return rows.select_related("person", "department", "position").order_by(
        "department__order", "position__rank", "person__number"
    )


def department_members(*, user, department, current_only: bool = True) -> QuerySet[Membership]:
    """Memberships of a department whose person the user may see; with history, current rows first."""
    rows = Membership.objects.filter(department=department, person__in=people_visible_to(user))
    if current_only:
        rows = rows.filter(end__isnull=True)
    return rows.select_related("person", "position", "term").order_by(
        F("end").desc(nulls_first=True), "position__rank", "-start", "pk"
    )


def user_role_assignments(*, user, on: dt.date | None = None) -> QuerySet[RoleAssignment]:
    """The user's role assignments (those in force on ``on`` when given), their scope objects joined."""
    rows = RoleAssignment.objects.filter(user=user)
    if on is not None:
        rows = rows.filter(start__lte=on).exclude(end__lt=on)
    return rows.select_related(
        "college", "school_class", "organisation", "department__organisation", "room__building"
    )


def organisation_role_holders(*, organisation_id: int, role: str, on: dt.date) -> list[User]:
    """The active accounts holding ``role`` over the organisation on ``on`` (e.g. its presidium), by username,
    with their person."""
    user_ids = RoleAssignment.objects.filter(role=role, organisation_id=organisation_id, start__lte=on).exclude(
        end__lt=on).values("user_id")
    return list(User.objects.filter(pk__in=user_ids, is_active=True).select_related("person").order_by("username"))


def number_is_ambiguous(number: str) -> bool:
    """Whether a student/staff number belongs to accounts of more than one active school (login form)."""
    with scopes_disabled():
        tenants = User.objects.filter(person__number=number, tenant__is_active=True).values("tenant_id")
        return tenants.distinct().count() > 1


def school_accounts_with_role(*, tenant, role) -> list:
    """The accounts holding a school-wide ``role`` in ``tenant`` (read from the platform: opens that scope)."""
    with tenant_scope(tenant):
        user_ids = RoleAssignment.objects.filter(role=role).values_list("user_id", flat=True)
        return list(User.objects.filter(tenant=tenant, pk__in=list(user_ids)).order_by("username"))

def school_admin_accounts(*, tenant) -> list:
    """The school's admin accounts (the platform's school page lists them)."""
    return school_accounts_with_role(tenant=tenant, role=Role.TENANT_ADMIN)


def account_activation_path(user) -> str:
    """The one-time link with which an invited account sets its first password (Django's reset token)."""
    return reverse("account_activate", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(user.pk)), "token": default_token_generator.make_token(user),
    })


# --- imports (OR-4) ---

#: How many of a school's import jobs its import page lists.
RECENT_IMPORTS = 20


def import_job_list(*, tenant, limit: int = RECENT_IMPORTS) -> QuerySet[ImportJob]:
    """The school's latest import jobs, newest first, with their uploaders; one query whatever the number.
    The stored errors and samples (up to 500 rows of JSON each) are left unread."""
    return (ImportJob.objects.filter(tenant=tenant).select_related("uploaded_by__person")
            .defer("errors", "samples").order_by("-created_at", "-pk")[:limit])


def import_job_detail(*, tenant) -> QuerySet[ImportJob]:
    """Import jobs of the school as the job page shows them (uploader and confirmer joined)."""
    return ImportJob.objects.filter(tenant=tenant).select_related("uploaded_by__person", "committed_by__person")


def import_job_progress(*, tenant) -> QuerySet[ImportJob]:
    """Import jobs with only the fields their progress needs: polled every second while a job runs."""
    return ImportJob.objects.filter(tenant=tenant).only("tenant_id", "kind", "status", "processed_rows", "total_rows",
                                                        "lease_until", "heartbeat_at", "attempt")


#: How much of a CSV the encoding choice previews and judges.
ENCODING_PREVIEW_BYTES = 256 * 1024


def import_job_encodings(*, job: ImportJob) -> list[dict]:
    """For a CSV job: how the start of its file reads in each encoding, most plausible first; [] for .xlsx."""
    try:
        with job.file.open("rb") as handle:
            head = handle.read(ENCODING_PREVIEW_BYTES)
    except OSError:  # the file is gone
        return []
    return encoding_choices(head)


def organisation_posts(*, organisation_id: int, start: dt.date, end: dt.date,
                       person_id: int | None = None) -> list[tuple]:
    """(person id, department id, is cadre, start, end) of every membership of the organisation that overlaps
    ``start``…``end`` (only that person's with ``person_id``): who held which kind of post where, for the scoring
    engine."""
    memberships = Membership.objects.filter(organisation_id=organisation_id, start__lte=end).filter(
        Q(end__isnull=True) | Q(end__gte=start))
    if person_id is not None:
        memberships = memberships.filter(person_id=person_id)
    return [
        (person, department_id, category == PositionCategory.CADRE, first, last)
        for person, department_id, category, first, last in memberships.order_by("pk").values_list(
            "person_id", "department_id", "position__category", "start", "end")
    ]


def person_organisation_ids(*, person, start: dt.date, end: dt.date, kind: str | None = None) -> list[int]:
    """Ids of the organisations (of ``kind``) in which the person held a post at some time in ``start``…``end``."""
    memberships = Membership.objects.filter(person=person, start__lte=end).filter(Q(end__isnull=True) | Q(
        end__gte=start))
    if kind:
        memberships = memberships.filter(organisation__kind=kind)
    return sorted(set(memberships.values_list("organisation_id", flat=True)))


def term_failed_courses(*, person_ids, term) -> dict[int, int]:
    """Sensitive (academic standing): {person id: failed courses} of those people in the term, only those with
    a failed course; for award eligibility (SC-12), which shows that a member failed, not the standing."""
    return dict(AcademicStanding.objects.filter(term=term, person_id__in=list(person_ids), failed_courses__gt=0)
                .values_list("person_id", "failed_courses"))


def standing_visible_ids(user, *, person_ids) -> set[int]:
    """Of those people, the ids whose academic standing ``user`` may see in detail — the person page's rule
    (``members.view_discipline``): the roles of ``DISCIPLINE_ROLES`` within their scope, and the person
    themselves. Anyone else may learn that a member is not eligible for awards (SC-12), not why in detail.
    At most one query."""
    ids = set(person_ids)
    seen = {user.person_id} & ids if getattr(user, "person_id", None) is not None else set()
    q = _person_q(user, DISCIPLINE_ROLES) if getattr(user, "is_authenticated", False) else None
    if q is None or not ids:
        return seen
    return seen | set(Person.objects.filter(q, pk__in=list(ids)).values_list("pk", flat=True))


def memberships_on(*, organisation_ids, on: dt.date) -> QuerySet[Membership]:
    """The memberships of those organisations in force on ``on`` (begun, not yet ended): who was a member then."""
    return Membership.objects.filter(organisation_id__in=list(organisation_ids), start__lte=on).exclude(end__lt=on)


def department_member_ids(*, department_ids, organisation_id: int | None = None) -> QuerySet:
    """The ids (a subquery: no query of its own) of the current members of those departments — what a
    department head sees of their organisation — optionally only in one organisation."""
    current = Membership.objects.filter(department_id__in=department_ids, end__isnull=True)
    if organisation_id is not None:
        current = current.filter(organisation_id=organisation_id)
    return current.values("person_id")


def account_login_locked(*, account: User, now: dt.datetime) -> bool:
    """Whether the account's login is locked out now (django-axes: its failures within the cool-off reach
    the limit). The address lock is not the account's and is not reported here."""
    failures = AccessAttempt.objects.filter(
        username=account.username, attempt_time__gte=now - settings.AXES_COOLOFF_TIME,
    ).aggregate(n=Sum("failures_since_start"))["n"] or 0
    return failures >= settings.AXES_FAILURE_LIMIT
