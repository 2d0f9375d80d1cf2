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
from members.exports import display_width, write_printable_xlsx
from members.models import Membership


def _rows(meeting, attendances=None):
    """The sheet's rows: ``attendances`` (the rows the user may see, from ``selectors.attendance_rows``), or every
    expected attendee of the session."""
    if attendances is None:
        attendances = Attendance.objects.filter(meeting=meeting)
    attendances = list(attendances.select_related("person").order_by("person__number"))
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
            "status": attendance.status_text, "unmarked": attendance.status == Status.UNMARKED,
            "late_as_absence": attendance.late_as_absence,
        })
    return sorted(rows, key=lambda r: (r["department"], r["person"].number))


def signin_sheet_pdf(*, meeting, filled: bool, attendances=None) -> bytes:
    """Blank (签到表: a line per expected attendee to sign) or filled (考勤表: each one's mark). ``attendances``:
    the rows the user may see (a department head: their department's); every row when None."""
    from weasyprint import HTML  # imported here: loading Pango costs time that most requests never need

    html = render_to_string("attendance/pdf/signin_sheet.html", {
        "meeting": meeting, "rows": _rows(meeting, attendances), "filled": filled,
        "school": meeting.organisation.tenant.name, "signature_line": signature_line(),
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
    """A mark in words, for the spreadsheet ("迟到 8 分钟"); blank when the person was not expected."""
    return "" if mark is None else mark.status_text


def sheet_title(sheet) -> str:
    part = _("全体会议") if sheet.plenary else sheet.department.name
    return _("%(org)s %(part)s %(year)s年%(month)s月考勤表") % {
        "org": sheet.organisation.name, "part": part, "year": sheet.month.year, "month": sheet.month.month}


def _total_headers() -> list[str]:
    return [str(Status(s).label) for s in TOTAL_STATUSES] + [_("全勤")]


def signature_line() -> str:
    """The lines a printed sheet is signed on: who made it, who checked it, when."""
    return _("制表人：＿＿＿＿＿＿＿＿　　审核人：＿＿＿＿＿＿＿＿　　日期：＿＿＿＿年＿＿月＿＿日")


def _width(values, *, least: int, most: int = 40) -> int:
    return min(max([least, *(display_width(v) for v in values)]) + 2, most)


def monthly_sheet_xlsx(sheet) -> bytes:
    """The sheet to print or file: a title row (school, organisation, sheet, month), the columns as wide as
    their content (an 11-digit student number shows whole), borders, the header and the name columns frozen,
    A4 landscape with the title and header repeated on every page, the marks in words ("迟到 8 分钟"), and the
    lines to sign below."""
    sessions = [session_label(s) for s in sheet.sessions]
    headers = [_("姓名"), _("学号"), _("部门"), *sessions, *_total_headers()]
    rows = [
        (row.person.name, row.person.number, row.department, *(mark_text(m) for m in row.marks),
         *(row.totals[s] for s in TOTAL_STATUSES), _("是") if row.full_attendance else "")
        for row in sheet.rows
    ]
    column = list(zip(*rows, strict=True)) if rows else [()] * len(headers)
    widths = [_width(column[0], least=6), _width(column[1], least=11), _width(column[2], least=4)]
    widths += [_width(column[3 + i], least=max(display_width(label) // 2 + 1, 8))
               for i, label in enumerate(sessions)]
    widths += [_width((), least=display_width(h)) for h in _total_headers()]
    school = sheet.organisation.tenant.name
    return write_printable_xlsx(
        headers, rows, title=f"{school} {sheet_title(sheet)}", sheet_title=f"{sheet.month:%Y-%m}", widths=widths,
        note=_("制表时间：%(when)s　本月会议 %(n)s 次") % {
            "when": f"{timezone.localtime():%Y-%m-%d %H:%M}", "n": len(sheet.sessions)},
        below=[signature_line()], freeze_columns=3)


def monthly_sheet_pdf(sheet) -> bytes:
    from weasyprint import HTML  # see signin_sheet_pdf

    html = render_to_string("attendance/pdf/monthly_sheet.html", {
        "sheet": sheet, "title": sheet_title(sheet), "printed_at": timezone.localtime(), "legend": legend(),
        "school": sheet.organisation.tenant.name, "signature_line": signature_line(),
        "sessions": [session_label(s).split(" ", 1) for s in sheet.sessions], "total_headers": _total_headers(),
        "rows": [(row, [(mark_symbol(m), m.status if m else "") for m in row.marks],
                  [row.totals[s] for s in TOTAL_STATUSES])
                 for row in sheet.rows],
    })
    return HTML(string=html).write_pdf()
