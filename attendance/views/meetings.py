"""Meetings and the attendance page (SPEC AT-1, AT-2), a member's own attendance and leave requests.

A session the user may not see is missing: ``access.meeting_for_user`` fetches through ``meetings_visible_to``, so it is
a 404 like another school's session (an officer, or another organisation's office, sees none). Only the office
of the session's organisation records (``attendance.record_meeting``); a department head, the presidium and
the school's admin see the same page read-only.

Marks are saved one at a time by static/js/attendance.js through the JSON endpoint ``meeting_marks``; the
services validate everything (Chinese ValidationError messages are passed through as a 400).
"""

import datetime as dt
import json
from collections import defaultdict

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from attendance import access, exports, selectors, services
from attendance import checkin as codes  # the view ``checkin`` below takes the module's name
from attendance.forms import CancelForm, LeaveForm, MeetingEditForm, MeetingFilterForm, MeetingForm, default_start
from attendance.models import Attendance, LeaveStatus, Meeting, MeetingKind, Status
from attendance.views.records import meeting_records
from attendance.views.roll import roll_html
from attendance.views.tasks import my_tasks_context
from members.exports import XLSX_TYPE
from orgs.calendar import local_date
from orgs.models import Department, Organisation
from orgs.pages import MAX_ID, attachment, id_of, month_of, paginate
from orgs.selectors import current_term
from orgs.tenancy import get_object_or_404
from orgs.web import error_text, requires

#: Keys of the attendance page (also shown on it): a digit or a letter per status.
KEYS = (
    (Status.PRESENT, "1", "P"),
    (Status.LATE, "2", "L"),
    (Status.EARLY_LEAVE, "3", "E"),
    (Status.LEAVE, "4", "V"),
    (Status.ABSENT, "5", "A"),
)


# --- meetings (AT-1) ---


@requires("attendance.list_meetings")
def meeting_list(request):
    form = MeetingFilterForm(request.GET)
    filters = form.filters()
    organisation, department = filters.get("organisation"), filters.get("department")
    meetings = selectors.meeting_list(
        user=request.user, organisation_id=organisation.pk if organisation else None,
        department_id=department.pk if department else None, month=filters.get("month"),
    )
    pending = selectors.pending_leave_requests(user=request.user).count() if request.user.has_perm(
        "attendance.add_meeting") else 0
    return render(request, "attendance/meeting_list.html", {
        "form": form, "page": paginate(request, meetings), "pending_leave": pending,
    })


@requires("attendance.add_meeting")
@require_http_methods(["GET", "POST"])
def meeting_create(request):
    start = default_start()
    form = MeetingForm(request.POST if request.method == "POST" else None, user=request.user,
                       initial={"starts_at": start, "ends_at": start + dt.timedelta(hours=1)})
    if form.is_valid():
        data = dict(form.cleaned_data)
        weekly = data.pop("weekly")
        now = timezone.now()
        try:
            if weekly:
                term = current_term(tenant=request.tenant, today=local_date(now))
                if term is None:
                    raise ValidationError({"weekly": _("当前不在任何学期内，不能按学期重复。")})
                series = services.meeting_series_create(
                    organisation=data["organisation"], department=data["department"], term=term,
                    title=data["title"], stars=data["stars"], starts_at=data["starts_at"], ends_at=data["ends_at"],
                    user=request.user, now=now, place=data["place"], minutes_taker=data["minutes_taker"],
                )
            else:
                meeting = services.meeting_create(user=request.user, now=now, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if weekly:
                messages.success(request, _("已创建例会系列：%(title)s，每周一次至学期结束。") % {
                    "title": series.title})
                return redirect("attendance:meeting_list")
            messages.success(request, _("已创建会议：%(title)s。") % {"title": meeting.title})
            return redirect("attendance:meeting_detail", meeting_id=meeting.pk)
    return render(request, "attendance/meeting_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def meeting_edit(request, meeting_id):
    """Edit a session (AT-1): title, stars, time, place, minutes-taker. Only the office of its organisation;
    the audience is not editable (its rows may already carry marks). A cancelled session is refused."""
    meeting = access.meeting_for_recorder(request.user, meeting_id)
    if meeting.is_cancelled:
        messages.error(request, _("会议已取消，不能修改。"))
        return redirect("attendance:meeting_detail", meeting_id=meeting.pk)
    form = MeetingEditForm(request.POST if request.method == "POST" else None, meeting=meeting,
                           initial=MeetingEditForm.initial_of(meeting))
    if form.is_valid():
        try:
            services.meeting_update(meeting=meeting, now=timezone.now(), **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已保存会议：%(title)s。") % {"title": form.cleaned_data["title"]})
            return redirect("attendance:meeting_detail", meeting_id=meeting.pk)
    return render(request, "attendance/meeting_edit.html", {"form": form, "meeting": meeting})


@login_required
@require_POST
def meeting_cancel(request, meeting_id):
    meeting = access.meeting_for_recorder(request.user, meeting_id)
    try:
        services.meeting_cancel(meeting=meeting, reason=request.POST.get("reason", ""), now=timezone.now())
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("会议已取消。"))
    return redirect("attendance:meeting_detail", meeting_id=meeting.pk)


# --- the attendance page (AT-2) ---


def _status_label(status):
    return str(Status(status).label)


#: The page's 修改记录 table shows this many of the newest changes; ``?changes=all`` shows every one.
RECENT_CHANGES = 20


@login_required
def meeting_detail(request, meeting_id):
    """One list of the expected attendees, a constant number of queries: the meeting, its rows (with their
    people), how many changes each row has (one aggregate), and the newest changes for the page's table.

    What is the same on every row is in the page once: the status buttons and the row panels are one
    ``<template>`` that static/js/attendance.js copies into each row, and the rows themselves are formatted by
    ``attendance.views.roll`` from strings translated once per page. A row's own changes are loaded when its
    修改记录 is opened (``meeting_row_changes``), so each change is rendered at most once per page."""
    meeting = access.meeting_for_user(request.user, meeting_id)
    user = request.user
    recorder = user.has_perm("attendance.record_meeting", meeting)
    visible = selectors.attendance_rows(user=user, meeting=meeting)
    rows = list(selectors.attendance_roll(user=user, meeting=meeting))
    seen_all = recorder or selectors.sees_all_rows(user, meeting)
    history = selectors.attendance_change_counts(meeting=meeting)
    threshold = selectors.late_threshold(meeting)
    roll, counts = roll_html(rows, history=history, threshold=threshold)
    every = request.GET.get("changes") == "all"
    changes = _describe(selectors.attendance_changes(meeting=meeting, rows=None if seen_all else visible,
                                                     newest=None if every else RECENT_CHANGES))
    pending_leave = (list(selectors.pending_leave_requests(user=user, meeting=meeting))
                     if recorder and not meeting.is_cancelled else [])
    return render(request, "attendance/meeting_detail.html", {
        "pending_leave": pending_leave,
        "meeting": meeting, "rows": rows, "roll": roll, "recorder": recorder and not meeting.is_cancelled,
        "changes": changes, "changes_total": sum(history.get(row.pk, 0) for row in rows), "changes_all": every,
        "can_cancel": recorder and not meeting.is_cancelled, "can_edit": recorder and not meeting.is_cancelled,
        "started": timezone.now() >= meeting.starts_at, "threshold": threshold,
        "keys": [(s, Status(s).label, d, k) for s, d, k in KEYS],
        "label_change": _("修改"), "label_who": _("修改人"),
        "counts": [(s, label, counts[s]) for s, label in Status.choices], "total": len(rows),
        "cancel_form": CancelForm(), "is_plenary": meeting.kind == MeetingKind.PLENARY,
        **meeting_records(request, meeting),
    })


@login_required
@require_safe
def meeting_row_changes(request, meeting_id, person_id):
    """The changes of one row of a session, newest first, as the ``<li>`` items of its 修改记录 list (an HTML
    fragment the page loads when the list is opened). Whoever sees the session's page and that row on it:
    the session through ``access.meeting_for_user`` and the row through the same ``attendance_rows`` (a department head,
    only their department's); anything else is the 404 of a missing session or row."""
    meeting = access.meeting_for_user(request.user, meeting_id)
    if person_id > MAX_ID:  # the path's int is unbounded; a foreign key lookup beyond 2⁶³ overflows
        raise Http404()
    row = access.row_for_user(request.user, meeting, person_id)
    changes = _describe(selectors.attendance_changes(meeting=meeting, attendance=row))
    response = render(request, "attendance/_row_changes.html", {"changes": changes})
    response["Cache-Control"] = "no-store"
    return response


def _minutes(value) -> str:
    return "" if value is None else f"（{value}′）"


def _describe(changes) -> list[dict]:
    """Changes (rows of ``selectors.attendance_changes``) as the page's table and a row's 修改记录 show them:
    "出席 → 迟到（5′）", with a badge when it came from a leave approval or a QR check-in. Labels translated
    and escaped once per call, not once per change."""
    labels = {status: escape(label) for status, label in Status.choices}
    via_labels = {"leave": _("请假审批"), "checkin": _("扫码签到")}
    badges = {"page": ""}
    lines = []
    for change in changes:
        when = timezone.localtime(change.changed_at).strftime("%m-%d %H:%M:%S")
        if change.via not in badges:
            badges[change.via] = f' <span class="badge grey">{escape(via_labels.get(change.via, change.via))}</span>'
        via = badges[change.via]
        lines.append({
            "when_short": when[:11], "when_long": when, "name": change.name,
            "who": change.by_name or change.by_username,
            "summary": mark_safe(  # noqa: S308 (escaped labels and numbers)
                f"{labels[change.old_status]}{_minutes(change.old_late_minutes)} → "
                f"{labels[change.new_status]}{_minutes(change.new_late_minutes)}{via}"),
        })
    return lines


def _marks_of(body: bytes) -> list[dict]:
    try:
        marks = json.loads(body.decode("utf-8"))["marks"]
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        raise ValidationError(_("请求格式不正确。")) from None
    if not isinstance(marks, list) or not marks or not all(
        isinstance(m, dict) and services.valid_id(m.get("person"))
        and (m.get("version") is None or (services.valid_id(m["version"]) or m["version"] == 0))
        for m in marks
    ):
        raise ValidationError(_("请求格式不正确。"))
    return marks


def _row_json(row) -> dict:
    return {"person": row.person_id, "status": row.status, "status_label": _status_label(row.status),
            "late_minutes": row.late_minutes, "late_as_absence": row.late_as_absence, "version": row.version}


@login_required
@require_POST
def meeting_marks(request, meeting_id):
    """JSON: ``{"marks": [{"person": id, "status": …, "late_minutes": …, "version": …}]}`` → the saved rows,
    or a 400 with the Chinese message (nothing saved). A repeated mark is a harmless no-op. ``version`` is the
    row's version the page showed: when another user has changed the row since, a 409 with the message and
    the current rows (``stale``), nothing saved."""
    meeting = access.meeting_for_recorder(request.user, meeting_id)
    try:
        marks = _marks_of(request.body)
        rows = services.attendance_mark(meeting=meeting, marks=marks, user=request.user, now=timezone.now())
    except services.StaleMark as error:
        return JsonResponse({"error": error_text(error), "stale": [_row_json(row) for row in error.rows]},
                            status=409)
    except ValidationError as error:
        return JsonResponse({"error": error_text(error)}, status=400)
    return JsonResponse({"rows": [_row_json(row) for row in rows], "threshold": selectors.late_threshold(meeting)})


@login_required
@require_POST
def meeting_all_present(request, meeting_id):
    meeting = access.meeting_for_recorder(request.user, meeting_id)
    try:
        count = services.attendance_all_present(meeting=meeting, user=request.user, now=timezone.now())
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("已将 %(count)s 名未记录的人员记为出席，请再记录例外情况。") % {"count": count})
    return redirect("attendance:meeting_detail", meeting_id=meeting.pk)


# --- the sign-in sheet (签到表 / 考勤表, AT-3) ---


@login_required
def meeting_sheet(request, meeting_id, filled):
    """The session's sign-in sheet as an A4 PDF: blank, to sign at the door, or filled with the marks. Whoever
    sees the session (``access.meeting_for_user``: others get the same 404 as a missing one) gets the rows the page
    shows them: a department head at a plenary, their own department's."""
    meeting = access.meeting_for_user(request.user, meeting_id)
    content = exports.signin_sheet_pdf(meeting=meeting, filled=filled,
                                       attendances=selectors.attendance_rows(user=request.user, meeting=meeting))
    name = _("考勤表") if filled else _("签到表")
    when = timezone.localtime(meeting.starts_at)
    return attachment(content, "application/pdf", f"{meeting.title}-{name}-{when:%Y%m%d}.pdf".replace(" ", "-"),
                      f"meeting-{meeting.pk}-{'filled' if filled else 'blank'}.pdf")


# --- leave (请假) ---


@requires("attendance.view_own")
def my_attendance(request):
    user, now = request.user, timezone.now()
    term = current_term(tenant=request.tenant, today=local_date(now))
    rows = list(selectors.my_attendance(user=user, since=term.start if term else None))
    requests = defaultdict(list)
    for leave in selectors.my_leave_requests(attendance_ids=[row.pk for row in rows]):
        requests[leave.attendance_id].append(leave)
    for row in rows:
        row.my_leaves = requests.get(row.pk, [])
        row.pending_leave = any(r.status == LeaveStatus.PENDING for r in row.my_leaves)
        row.may_request_leave = (not row.meeting.is_cancelled and now < row.meeting.starts_at
                                 and not row.pending_leave and row.status != Status.LEAVE)
    return render(request, "attendance/my_attendance.html", {
        "rows": rows, "term": term, "form": LeaveForm(),
        "activities": selectors.my_activities(user=user, since=term.start if term else None),
        **my_tasks_context(user, since=term.start if term else None, now=now),
    })


@requires("attendance.view_own")
@require_POST
def leave_request(request, meeting_id):
    meeting = get_object_or_404(Meeting, pk=meeting_id)
    attendance = Attendance.objects.filter(meeting=meeting, person_id=request.user.person_id).select_related(
        "meeting").first()
    if attendance is None:
        messages.error(request, _("你不是本次会议的应到人员，不能请假。"))
        return redirect("attendance:my_attendance")
    try:
        services.leave_request_create(attendance=attendance, reason=request.POST.get("reason", ""),
                                      user=request.user, now=timezone.now())
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("请假申请已提交，等待办公室审批。"))
    return redirect("attendance:my_attendance")


@requires("attendance.add_meeting")
def leave_list(request):
    return render(request, "attendance/leave_list.html", {
        "pending": selectors.pending_leave_requests(user=request.user),
    })


@login_required
@require_POST
def leave_decide(request, leaverequest_id):
    leave = access.leave_request_for_decider(request.user, leaverequest_id)
    decision = request.POST.get("decision")
    # Decided on the attendance page itself ("back=meeting"): back there, else to the list of all requests.
    back = (redirect("attendance:meeting_detail", meeting_id=leave.attendance.meeting_id)
            if request.POST.get("back") == "meeting" else redirect("attendance:leave_list"))
    if decision not in ("approve", "refuse"):
        messages.error(request, _("请选择批准或不批准。"))
        return back
    try:
        services.leave_request_decide(leave=leave, approve=decision == "approve", user=request.user,
                                      now=timezone.now(), answer=request.POST.get("answer", ""))
    except ValidationError as error:
        messages.error(request, error_text(error))
    else:
        messages.success(request, _("已批准请假。") if decision == "approve" else _("已不批准请假。"))
    return back


# --- the monthly attendance sheet (月度考勤表, AT-3): a preview page and its Excel and PDF ---

MONTHLY_FORMATS = {"xlsx": XLSX_TYPE, "pdf": "application/pdf"}
def _monthly_choices(user, organisation):
    """The sheets of ``organisation`` the user may open: ("plenary", 全体会议) and (department id, name)."""
    organisations, heads = selectors.monthly_sheet_scope(user)
    departments = Department.objects.filter(organisation=organisation).order_by("name")
    if organisations is None or organisation.pk in organisations:
        return [("plenary", _("全体会议"))] + [(str(d.pk), d.name) for d in departments]
    return [(str(d.pk), d.name) for d in departments if d.pk in heads]


def _monthly_organisations(user):
    organisations, heads = selectors.monthly_sheet_scope(user)
    if organisations is None:
        return Organisation.objects.order_by("name")
    return Organisation.objects.filter(Q(pk__in=organisations) | Q(departments__pk__in=heads)).distinct().order_by(
        "name")


@requires("attendance.list_meetings")
def monthly(request):
    """Choose an organisation, a month and a sheet (a department or 全体会议); preview it, download it."""
    organisations = list(_monthly_organisations(request.user))
    if not organisations:
        raise Http404()
    chosen = request.GET.get("organisation")
    organisation = next((o for o in organisations if str(o.pk) == chosen), organisations[0])
    month = month_of(request.GET.get("month")) or local_date(timezone.now()).replace(day=1)
    choices = _monthly_choices(request.user, organisation)
    key = request.GET.get("sheet")
    key = key if key in dict(choices) else (choices[0][0] if choices else None)
    sheet = query = None
    if key == "plenary":
        sheet, query = selectors.monthly_sheet(organisation=organisation, month=month, plenary=True), "plenary=1"
    elif key is not None:
        department = Department.objects.get(pk=key)
        sheet = selectors.monthly_sheet(organisation=organisation, month=month, department=department)
        query = f"department={department.pk}"
    rows = []
    if sheet is not None:
        rows = [(row, [(exports.mark_symbol(m), m.status if m else "") for m in row.marks],
                 [row.totals[s] for s in selectors.TOTAL_STATUSES]) for row in sheet.rows]
    downloads = [
        (label, reverse("attendance:monthly_download", kwargs={
            "organisation_id": organisation.pk, "month": f"{month:%Y-%m}", "fmt": fmt}) + "?" + query)
        for fmt, label in (("xlsx", _("下载 Excel")), ("pdf", _("下载 PDF")))
    ] if sheet is not None else []
    return render(request, "attendance/monthly.html", {
        "organisations": organisations, "organisation": organisation, "month": month, "choices": choices,
        "key": key, "sheet": sheet, "rows": rows, "downloads": downloads, "legend": exports.legend(),
        "title": exports.sheet_title(sheet) if sheet else _("月度考勤表"),
        "sessions": [exports.session_label(s).split(" ", 1) for s in sheet.sessions] if sheet else [],
        "total_headers": [str(Status(s).label) for s in selectors.TOTAL_STATUSES] + [_("全勤")],
    })


@login_required
def monthly_download(request, organisation_id, month, fmt):
    """``?department=<id>`` or ``?plenary=1`` (the default). A sheet the user may not see is a 404, like a
    missing organisation or another school's; so are a bad month and an unknown format."""
    first = month_of(month)
    if first is None or fmt not in MONTHLY_FORMATS:
        raise Http404()
    organisation = get_object_or_404(Organisation, pk=organisation_id)
    department = None
    if request.GET.get("department"):
        department = get_object_or_404(Department.objects.filter(organisation=organisation),
                                       pk=id_of(request.GET["department"]))
    plenary = department is None
    if not request.user.has_perm("attendance.view_monthly_sheet", department or organisation):
        raise Http404()
    sheet = selectors.monthly_sheet(organisation=organisation, month=first, department=department, plenary=plenary)
    content = exports.monthly_sheet_xlsx(sheet) if fmt == "xlsx" else exports.monthly_sheet_pdf(sheet)
    filename = f"{exports.sheet_title(sheet)}.{fmt}".replace(" ", "-")
    fallback = f"attendance-{first:%Y-%m}-{department.pk if department else 'plenary'}.{fmt}"
    return attachment(content, MONTHLY_FORMATS[fmt], filename, fallback)


# --- self check-in (issue 4 item 3): attendance/checkin.py holds the codes and the rules ---


def _qr_state(request, meeting, now):
    """What the QR screen shows now: the check-in URL and its QR code (SVG), the count, the window."""
    opens, closes = codes.window_bounds(meeting)
    url = request.build_absolute_uri(codes.checkin_path(meeting, now=now))
    state = {
        "cancelled": meeting.is_cancelled, "count": codes.checked_in_count(meeting),
        "expected": Attendance.objects.filter(meeting=meeting).count(),
        "seconds_left": round(codes.seconds_left(now=now), 1), "open": opens <= now <= closes,
        "before": now < opens, "opens": timezone.localtime(opens).strftime("%H:%M"),
    }
    if not meeting.is_cancelled:
        state.update(url=url, svg=codes.qr_svg(url))
    return state


@login_required
def meeting_qr(request, meeting_id):
    """The office's full-screen QR code at the door; static/js/checkin.js refreshes it without reloading."""
    meeting = access.meeting_for_recorder(request.user, meeting_id)
    state = _qr_state(request, meeting, timezone.now())
    return render(request, "attendance/meeting_qr.html", {
        "meeting": meeting, "state": state, "svg": mark_safe(state.get("svg", "")),  # noqa: S308 (segno's SVG)
    })


@login_required
def meeting_qr_code(request, meeting_id):
    """JSON for the QR screen: ``url``, ``svg`` (inline), ``count``, ``expected``, ``seconds_left``, …"""
    meeting = access.meeting_for_recorder(request.user, meeting_id)
    response = JsonResponse(_qr_state(request, meeting, timezone.now()))
    response["Cache-Control"] = "no-store"
    return response


def _anonymous_to_login(view):
    """Let orgs.middleware pass an anonymous request to this view (which only sends it to log in) instead of
    the module's 404: a member scanning the door's QR code may not be logged in on their phone yet."""
    view.anonymous_to_login = True
    return view


@_anonymous_to_login
@require_http_methods(["GET", "POST"])
def checkin(request, meeting_id, code):
    """A member's own check-in: GET confirms (签到：会议名，时间), POST marks. The first time the link is opened
    is kept in a signed cookie of this link's path (not the session: a phone that is not logged in yet gets
    no session row for a scan), so logging in first does not expire the code. Another school's meeting, a
    missing one and one the user is not expected at are the same 404."""
    now = timezone.now()
    scanned_at, new_scan = _scan_stamp(request, meeting_id, code, now)
    if not request.user.is_authenticated:
        return _keep_scan(redirect_to_login(request.get_full_path()), meeting_id, code, scanned_at, new_scan)
    attendance = access.own_row(request.user, meeting_id)
    meeting = attendance.meeting
    status = 200
    if request.method == "POST":
        try:
            row = codes.check_in(attendance=attendance, user=request.user, code=code, now=now,
                                 scanned_at=scanned_at)
        except ValidationError as error:
            refused = (getattr(error, "code", None) or "refused", error_text(error))
            status = 200 if refused[0] == "done" else 400
        else:
            if row.status == Status.PRESENT:
                messages.success(request, _("签到成功：出席。"))
            elif row.status == Status.LATE:
                messages.warning(request, _("签到成功：迟到 %(n)s 分钟。") % {"n": row.late_minutes})
            else:
                messages.error(request, _("签到成功，但迟到 %(n)s 分钟，超过 %(threshold)s 分钟，已记为旷会。") % {
                    "n": row.late_minutes, "threshold": selectors.late_threshold(meeting)})
            done = redirect("attendance:checkin", meeting_id=meeting.pk, code=code)
            done.delete_cookie(_scan_cookie(meeting_id), path=_scan_path(meeting_id))
            return done
    else:
        refused = codes.refusal(attendance, code=code, now=now, scanned_at=scanned_at)
    return _keep_scan(render(request, "attendance/checkin.html", {
        "meeting": meeting, "attendance": attendance, "refused": refused, "code": code,
    }, status=status), meeting_id, code, scanned_at, new_scan)


_SCAN_SALT = "attendance.checkin.scan"


def _scan_cookie(meeting_id) -> str:
    return f"checkin_{meeting_id}"


def _scan_path(meeting_id) -> str:
    """The cookie goes only with this meeting's check-in links."""
    return reverse("attendance:checkin", kwargs={"meeting_id": meeting_id, "code": "_"})[:-2]


def _scan_max_age():
    return codes.SCAN_GRACE + dt.timedelta(minutes=5)


def _scan_stamp(request, meeting_id, code, now) -> tuple[dt.datetime, bool]:
    """When this code's link was first opened on this device (a signed cookie: it cannot be backdated), and
    whether that is now."""
    raw = request.get_signed_cookie(_scan_cookie(meeting_id), default="", salt=_SCAN_SALT,
                                    max_age=_scan_max_age())
    seen_code, _sep, at = raw.rpartition(":")
    if seen_code == code and at.isdigit():
        return dt.datetime.fromtimestamp(int(at) / 1000, tz=dt.UTC), False
    return now, True


def _keep_scan(response, meeting_id, code, scanned_at, new_scan):
    if new_scan:
        response.set_signed_cookie(
            _scan_cookie(meeting_id), f"{code}:{round(scanned_at.timestamp() * 1000)}", salt=_SCAN_SALT,
            max_age=int(_scan_max_age().total_seconds()), path=_scan_path(meeting_id),
            secure=settings.SESSION_COOKIE_SECURE, httponly=True, samesite="Lax",
        )
    return response
