"""Fetch-for-user helpers of attendance: the one place a view gets a session, a row, a leave request, a task or
an activity proposal for a user. A missing, a foreign (another school's, under the tenant scope) and an invisible
id are the same 404; a visible object the user may not act on is a 403."""

from django.core.exceptions import PermissionDenied

from attendance import selectors
from attendance.models import ActivityProposal, Attendance, Meeting
from orgs.tenancy import get_object_or_404


def meeting_for_user(user, meeting_id):
    """The session if ``user`` may see it (``selectors.meetings_visible_to``), else 404."""
    visible = selectors.meetings_visible_to(user).select_related("organisation", "department", "minutes_taker")
    return get_object_or_404(visible, pk=meeting_id)


def meeting_for_recorder(user, meeting_id, perm: str = "attendance.record_meeting"):
    """The session if ``user`` sees it (else 404) and holds ``perm`` on it (else 403)."""
    meeting = meeting_for_user(user, meeting_id)
    if not user.has_perm(perm, meeting):
        raise PermissionDenied
    return meeting


def row_for_user(user, meeting, person_id) -> Attendance:
    """A person's row of a session the user sees, if the user sees that row (a department head: their
    department's members only)."""
    return get_object_or_404(selectors.attendance_rows(user=user, meeting=meeting), person_id=person_id)


def own_row(user, meeting_id) -> Attendance:
    """The user's own row of a session (checking in): a session they are not expected at is a 404."""
    meeting = get_object_or_404(Meeting.objects.select_related("organisation", "tenant"), pk=meeting_id)
    rows = Attendance.objects.filter(meeting=meeting).select_related("person")
    row = get_object_or_404(rows, person_id=user.person_id or 0)
    row.meeting = meeting  # with its organisation and school joined
    return row


def leave_request_for_decider(user, leaverequest_id):
    """A leave request the user may decide (the office of its session's organisation)."""
    return get_object_or_404(selectors.leave_requests_decidable_by(user), pk=leaverequest_id)


def proposal_for_recorder(user, meeting_id, activityproposal_id) -> tuple[Meeting, ActivityProposal]:
    """(the activity, one of its proposals) if the user records the activity."""
    meeting = meeting_for_recorder(user, meeting_id, "attendance.record_activity")
    proposal = get_object_or_404(ActivityProposal.objects.filter(meeting=meeting), pk=activityproposal_id)
    proposal.meeting = meeting
    return meeting, proposal


def task_for_user(user, task_id):
    visible = selectors.tasks_visible_to(user).select_related("organisation", "department", "created_by__person")
    return get_object_or_404(visible, pk=task_id)


def task_for_manager(user, task_id):
    """A task the user sees (else 404) and manages — the office of its organisation — (else 403)."""
    task = task_for_user(user, task_id)
    if not user.has_perm("attendance.manage_task", task):
        raise PermissionDenied
    return task


def assignment_for_user(user, taskassignment_id):
    visible = selectors.assignments_visible_to(user).select_related("task", "person")
    return get_object_or_404(visible, pk=taskassignment_id)


def own_assignment(user, taskassignment_id):
    """The user's own assignment; someone else's that the user may see (their office's) is a 403."""
    assignment = assignment_for_user(user, taskassignment_id)
    if assignment.person_id != user.person_id:
        raise PermissionDenied
    return assignment
