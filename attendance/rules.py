"""Permissions on meetings and attendance. Predicates, then permissions."""

import rules

from attendance.selectors import (
    can_manage_task,
    can_record,
    meetings_visible_to,
    monthly_sheet_scope,
    tasks_visible_to,
)
from members.models import Role
from members.roles import has_role, membership_kinds
from orgs.models import Department, OrganisationKind

# --- predicates ---


@rules.predicate
def records_for_some_organisation(user):
    return user.is_authenticated and has_role(user, Role.OFFICE)


@rules.predicate
def sees_some_meetings(user):
    return user.is_authenticated and has_role(user, Role.OFFICE, Role.PRESIDENT, Role.DEPARTMENT_HEAD,
                                              Role.TENANT_ADMIN)


@rules.predicate
def has_own_attendance(user):
    """A logged-in member with a person, in a school with the alliance module on: their own attendance page."""
    return (user.is_authenticated and getattr(user, "person_id", None) is not None and user.tenant_id is not None
            and user.tenant.has_module("alliance"))


@rules.predicate
def was_a_member(user):
    """Is or was a member of an alliance organisation (this module's meetings, duties and tasks are the
    alliance's): who can have attendance of their own. A counsellor or a teacher with no such membership opens
    the page and finds it empty, so the menu does not offer it to them."""
    return OrganisationKind.ALLIANCE in membership_kinds(user)


@rules.predicate
def may_see_meeting(user, meeting):
    return meeting is not None and meetings_visible_to(user).filter(pk=meeting.pk).exists()


@rules.predicate
def may_record_meeting(user, meeting):
    return meeting is not None and can_record(user, meeting)


# --- permissions ---

rules.add_perm("attendance.list_meetings", sees_some_meetings)
rules.add_perm("attendance.add_meeting", records_for_some_organisation)
rules.add_perm("attendance.view_meeting", may_see_meeting)
rules.add_perm("attendance.record_meeting", may_record_meeting)
rules.add_perm("attendance.view_own", has_own_attendance)
rules.add_perm("attendance.offer_own", has_own_attendance & was_a_member)  # the menu's 我的考勤

# --- minutes (AT-4), plenary discipline (SC-8), activities (AT-6) ---
# The office of the session's organisation records them; whoever may see the session reads them
# (attendance.view_meeting). Whether the session is of the right kind is the services' check (a Chinese message).
rules.add_perm("attendance.record_minutes", may_record_meeting)
rules.add_perm("attendance.record_discipline", may_record_meeting)
rules.add_perm("attendance.record_activity", may_record_meeting)

# --- tasks (AT-5) ---
# Office, presidium, department heads and the school's admin open the task list; the office of the task's
# organisation assigns, edits, cancels and grades. An assignee acts on their own assignment (the services check it).


@rules.predicate
def may_see_task(user, task):
    return task is not None and tasks_visible_to(user).filter(pk=task.pk).exists()


@rules.predicate
def manages_task(user, task):
    return task is not None and can_manage_task(user, task)


rules.add_perm("attendance.list_tasks", sees_some_meetings)
rules.add_perm("attendance.add_task", records_for_some_organisation)
rules.add_perm("attendance.view_task", may_see_task)
rules.add_perm("attendance.manage_task", manages_task)


# --- the monthly sheet (AT-3): the object is what the sheet is of — an Organisation (its plenary sheet) or a
# Department (that department's sheet). Office, presidium and the school's admin see every sheet of their
# organisation; a department head only their own department's. ---


@rules.predicate
def may_see_monthly_sheet(user, sheet_of):
    if sheet_of is None:
        return False
    organisations, departments = monthly_sheet_scope(user)
    if isinstance(sheet_of, Department):
        return organisations is None or sheet_of.organisation_id in organisations or sheet_of.pk in departments
    return organisations is None or sheet_of.pk in organisations


rules.add_perm("attendance.view_monthly_sheet", may_see_monthly_sheet)
