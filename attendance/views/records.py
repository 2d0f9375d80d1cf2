"""Pages where the office records what happened at a session: minutes (会议记录, AT-4) on the session's page,
a plenary's discipline (会场纪律, SC-8) and an activity's records (AT-6).

A session the user may not see is missing (404, like another school's): sessions are fetched through
``meetings_visible_to``. The office of the session's organisation records; the presidium, a department head
and the school's admin who may see the session read the same pages (their POST is a 403). Every write is one
service call whose Chinese ValidationError comes back as a message; a page of the wrong kind of session sends
back to the session's page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from attendance import access, selectors, services
from attendance.forms import (
    ActivityReportForm,
    CoordinationForm,
    DisruptionForm,
    MinutesForm,
    PerformanceForm,
    PersonForm,
    PlenaryOrderForm,
    ProposalForm,
    ProposalUpdateForm,
)
from attendance.models import Coordination, DepartmentOrder, MeetingKind
from orgs.calendar import local_date
from orgs.pages import ids_of
from orgs.web import error_text, form_error_text


def _to(name, meeting, anchor=""):
    return redirect(reverse(f"attendance:{name}", kwargs={"meeting_id": meeting.pk}) + anchor)


def _save(request, form, write, success):
    """Run ``write(cleaned_data)`` when ``form`` (if any) is valid; the outcome (or why not) as a message."""
    if form is not None and not form.is_valid():
        messages.error(request, form_error_text(form))
        return
    try:
        write(form.cleaned_data if form is not None else None)
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, success)


# --- minutes (会议记录, AT-4): a box on the session's page ---


def meeting_records(request, meeting) -> dict:
    """What the session's page (attendance/meeting_detail.html) needs for its minutes box and its links to the
    discipline and activity pages."""
    has_minutes = meeting.kind in services.MINUTES_KINDS
    minutes = selectors.meeting_minutes(meeting=meeting) if has_minutes else None
    return {
        "has_minutes": has_minutes, "minutes": minutes,
        "may_record_minutes": (has_minutes and not meeting.is_cancelled
                               and request.user.has_perm("attendance.record_minutes", meeting)),
        "minutes_form": MinutesForm(initial=MinutesForm.initial_of(minutes)),
    }


@login_required
@require_POST
def minutes_record(request, meeting_id):
    meeting = access.meeting_for_recorder(request.user, meeting_id, "attendance.record_minutes")
    _save(request, MinutesForm(request.POST), lambda data: services.minutes_record(
        meeting=meeting, user=request.user, now=timezone.now(), **data), _("已登记会议记录。"))
    return _to("meeting_detail", meeting, "#minutes")


# --- plenary discipline (会场纪律, SC-8) ---


@login_required
def plenary_discipline(request, meeting_id):
    """Each department's order (良好 / 一般 / 混乱吵闹 / 未评) and the individuals who seriously disrupted the
    plenary. A constant number of queries."""
    meeting = access.meeting_for_user(request.user, meeting_id)
    if meeting.kind != MeetingKind.PLENARY:
        messages.info(request, _("只有全体会议记录会场纪律。"))
        return _to("meeting_detail", meeting)
    recorder = request.user.has_perm("attendance.record_discipline", meeting) and not meeting.is_cancelled
    started = timezone.now() >= meeting.starts_at
    return render(request, "attendance/discipline.html", {
        "meeting": meeting, "page": selectors.discipline_page(user=request.user, meeting=meeting),
        "recorder": recorder, "started": started, "editable": recorder and started,
        "orders": DepartmentOrder.choices + [("", _("未评"))],
    })


@login_required
@require_POST
def plenary_order(request, meeting_id):
    meeting = access.meeting_for_recorder(request.user, meeting_id, "attendance.record_discipline")
    _save(request, PlenaryOrderForm(request.POST, meeting=meeting), lambda data: services.plenary_order_set(
        meeting=meeting, department=data["department"], order=data["order"] or None, user=request.user,
        now=timezone.now()), _("已保存部门会场纪律。"))
    return _to("plenary_discipline", meeting, "#orders")


@login_required
@require_POST
def plenary_disruption_add(request, meeting_id):
    meeting = access.meeting_for_recorder(request.user, meeting_id, "attendance.record_discipline")
    _save(request, DisruptionForm(request.POST), lambda data: services.plenary_disruption_add(
        meeting=meeting, user=request.user, now=timezone.now(), **data), _("已记录严重扰乱会场的人员。"))
    return _to("plenary_discipline", meeting, "#disruptions")


@login_required
@require_POST
def plenary_disruption_remove(request, meeting_id):
    meeting = access.meeting_for_recorder(request.user, meeting_id, "attendance.record_discipline")
    _save(request, PersonForm(request.POST), lambda data: services.plenary_disruption_remove(
        meeting=meeting, now=timezone.now(), **data), _("已删除这条记录。"))
    return _to("plenary_discipline", meeting, "#disruptions")


# --- activities (活动, AT-6) ---


@login_required
@require_http_methods(["GET", "POST"])
def activity_record(request, meeting_id):
    """The activity's records: report and hand-back (POST here saves the report), each department's
    coordination, the participants' performance (one form), proposals, adding a participant. A constant number
    of queries."""
    meeting = access.meeting_for_user(request.user, meeting_id)
    if meeting.kind != MeetingKind.ACTIVITY:
        messages.info(request, _("这不是一次活动。"))
        return _to("meeting_detail", meeting)
    user, now = request.user, timezone.now()
    may_record = user.has_perm("attendance.record_activity", meeting)
    if request.method == "POST" and not may_record:
        raise PermissionDenied
    recorder = may_record and not meeting.is_cancelled
    page = selectors.activity_page(user=user, meeting=meeting, today=local_date(now))
    form = ActivityReportForm(request.POST if request.method == "POST" else None,
                              initial=ActivityReportForm.initial_of(page.report))
    if form.is_valid():
        try:
            services.activity_report_save(meeting=meeting, user=user, now=now, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已保存活动评定。"))
            return _to("activity_record", meeting, "#report")
    return render(request, "attendance/activity.html", {
        "meeting": meeting, "page": page, "form": form, "recorder": recorder, "started": now >= meeting.starts_at,
        "editable": recorder and now >= meeting.starts_at,
        "grades": Coordination.choices + [("", _("未评"))],
    })


@login_required
@require_POST
def activity_coordination(request, meeting_id):
    meeting = access.meeting_for_recorder(request.user, meeting_id, "attendance.record_activity")
    _save(request, CoordinationForm(request.POST, meeting=meeting), lambda data: services.activity_coordination_set(
        meeting=meeting, department=data["department"], grade=data["grade"] or None, user=request.user,
        now=timezone.now()), _("已保存部门配合评定。"))
    return _to("activity_record", meeting, "#coordination")


@login_required
@require_POST
def activity_performance(request, meeting_id):
    """Every participant on the page in one POST: a ``person`` field per row, then its checkboxes and note."""
    meeting = access.meeting_for_recorder(request.user, meeting_id, "attendance.record_activity")
    people = ids_of(request.POST.getlist("person"))
    form = PerformanceForm(request.POST, people=people)
    _save(request, form, lambda _data: services.activity_performance_save(
        meeting=meeting, entries=form.entries(), user=request.user, now=timezone.now()), _("已保存参与人员的表现。"))
    return _to("activity_record", meeting, "#participants")


@login_required
@require_POST
def activity_participant_add(request, meeting_id):
    meeting = access.meeting_for_recorder(request.user, meeting_id, "attendance.record_activity")
    _save(request, PersonForm(request.POST), lambda data: services.activity_participant_add(
        meeting=meeting, now=timezone.now(), **data), _("已添加参与人员；请在考勤页面记录其考勤。"))
    return _to("activity_record", meeting, "#participants")


@login_required
@require_POST
def activity_proposal_add(request, meeting_id):
    meeting = access.meeting_for_recorder(request.user, meeting_id, "attendance.record_activity")
    _save(request, ProposalForm(request.POST), lambda data: services.activity_proposal_add(
        meeting=meeting, user=request.user, now=timezone.now(), **data), _("已添加方案或构想。"))
    return _to("activity_record", meeting, "#proposals")


@login_required
@require_POST
def activity_proposal_update(request, meeting_id, activityproposal_id):
    meeting, proposal = access.proposal_for_recorder(request.user, meeting_id, activityproposal_id)
    _save(request, ProposalUpdateForm(request.POST), lambda data: services.activity_proposal_update(
        proposal=proposal, user=request.user, now=timezone.now(), **data), _("已保存方案或构想。"))
    return _to("activity_record", meeting, "#proposals")


@login_required
@require_POST
def activity_proposal_remove(request, meeting_id, activityproposal_id):
    meeting, proposal = access.proposal_for_recorder(request.user, meeting_id, activityproposal_id)
    _save(request, None, lambda _data: services.activity_proposal_remove(
        proposal=proposal, now=timezone.now()),
          _("已删除方案或构想。"))
    return _to("activity_record", meeting, "#proposals")
