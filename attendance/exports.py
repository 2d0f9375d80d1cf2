"""Printable attendance (AT-3): the sign-in sheet (考勤表) of a session as an A4 PDF, blank or filled, and the
monthly attendance sheet (月度考勤表) of a department or of the plenaries as Excel and as an A4-landscape PDF.

WeasyPrint renders templates/attendance/pdf/; the CJK font (Noto Sans/Serif CJK SC, installed by the setup)
is embedded, so names print as text, never as boxes.
"""

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from attendance.models import Attendance, MeetingKind, Status
from attendance.selectors import TOTAL_STATUSES, late_threshold
from members.exports import write_xlsx
from members.models import Membership


def _rows(meeting):
    attendances = list(Attendance.objects.filter(meeting=meeting).select_related("person").order_by(
        "person__number"))
    places = {
        m.person_id: m for m in Membership.objects.filter(
            organisation_id=meeting.organisation_id, end__isnull=True,
            person_id__in=[a.person_id for a in attendances],
        ).select_related("department", "position")
    }
    rows = []
    for attendance in attendances:
        place = places.get(attendance.person_id)
        rows.append({
            "person": attendance.person,
            "department": place.department.name if place and place.department else "",
            "position": place.position.name if place else "",
            "status": attendance.get_status_display() if attendance.status != Status.UNMARKED else "",
            "late_minutes": attendance.late_minutes,
            "late_as_absence": attendance.late_as_absence,
        })
    return sorted(rows, key=lambda r: (r["department"], r["person"].number))


def signin_sheet_pdf(*, meeting, filled: bool) -> bytes:
    from weasyprint import HTML  # imported here: loading Pango costs time that most requests never need

    html = render_to_string("attendance/pdf/signin_sheet.html", {
        "meeting": meeting, "rows": _rows(meeting), "filled": filled,
        "printed_at": timezone.localtime(), "title": _("签到表") if not filled else _("考勤表"),
        "late_threshold": late_threshold(meeting),
    })
    return HTML(string=html).write_pdf()


# --- the monthly attendance sheet (月度考勤表) ---

#: Short column labels of the session kinds.
SHORT_KINDS = {
    MeetingKind.DEPARTMENT: gettext_lazy("例会"), MeetingKind.DUTY: gettext_lazy("值班"),
    MeetingKind.PLENARY: gettext_lazy("全会"), MeetingKind.OTHER: gettext_lazy("会议"),
}
#: The symbols of the printed sheet, and its legend.
SYMBOLS = {
    Status.PRESENT: "√", Status.LATE: gettext_lazy("迟"), Status.EARLY_LEAVE: gettext_lazy("早"),
    Status.LEAVE: gettext_lazy("假"), Status.ABSENT: "×", Status.UNMARKED: gettext_lazy("未"),
}


def legend() -> list[tuple[str, str]]:
    return [(str(SYMBOLS[s]), str(Status(s).label)) for s in (*TOTAL_STATUSES, Status.UNMARKED)]


def session_label(session) -> str:
    return f"{timezone.localtime(session.starts_at):%m-%d} {SHORT_KINDS[session.kind]}"


def mark_symbol(mark) -> str:
    """√, 迟5 (late 5 minutes), 早, 假, ×, 未 (not recorded yet); blank when the person was not expected."""
    if mark is None:
        return ""
    if mark.status == Status.LATE and mark.late_minutes is not None:
        return f"{SYMBOLS[Status.LATE]}{mark.late_minutes}"
    return str(SYMBOLS[mark.status])


def mark_text(mark) -> str:
    """A mark in words, for the spreadsheet."""
    if mark is None:
        return ""
    label = str(Status(mark.status).label)
    if mark.late_minutes is not None:
        label += _("（迟到 %(m)s 分钟）") % {"m": mark.late_minutes}
    return label


def sheet_title(sheet) -> str:
    part = _("全体会议") if sheet.plenary else sheet.department.name
    return _("%(org)s %(part)s %(year)s年%(month)s月考勤表") % {
        "org": sheet.organisation.name, "part": part, "year": sheet.month.year, "month": sheet.month.month}


def _total_headers() -> list[str]:
    return [str(Status(s).label) for s in TOTAL_STATUSES] + [_("全勤")]


def monthly_sheet_xlsx(sheet) -> bytes:
    headers = [_("姓名"), _("学号"), _("部门"), *(session_label(s) for s in sheet.sessions), *_total_headers()]
    rows = (
        (row.person.name, row.person.number, row.department, *(mark_text(m) for m in row.marks),
         *(row.totals[s] for s in TOTAL_STATUSES), _("是") if row.full_attendance else "")
        for row in sheet.rows
    )
    return write_xlsx(headers, rows, title=f"{sheet.month:%Y-%m}")


def monthly_sheet_pdf(sheet) -> bytes:
    from weasyprint import HTML  # see signin_sheet_pdf

    html = render_to_string("attendance/pdf/monthly_sheet.html", {
        "sheet": sheet, "title": sheet_title(sheet), "printed_at": timezone.localtime(), "legend": legend(),
        "sessions": [session_label(s).split(" ", 1) for s in sheet.sessions], "total_headers": _total_headers(),
        "rows": [(row, [(mark_symbol(m), m.status if m else "") for m in row.marks],
                  [row.totals[s] for s in TOTAL_STATUSES])
                 for row in sheet.rows],
    })
    return HTML(string=html).write_pdf()
