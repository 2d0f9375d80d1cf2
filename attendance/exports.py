"""Printable attendance (AT-3): the sign-in sheet (考勤表) of a session as an A4 PDF, blank or filled.

WeasyPrint renders templates/attendance/pdf/; the CJK font (Noto Sans/Serif CJK SC, installed by the setup)
is embedded, so names print as text, never as boxes.
"""

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from attendance.models import Attendance, Status
from attendance.policies import LATE_ABSENCE_MINUTES
from members.models import Membership
from orgs.calendar import local_date
from orgs.selectors import policy_value


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
        "late_threshold": policy_value(tenant=meeting.tenant, key=LATE_ABSENCE_MINUTES.key,
                                       on=local_date(meeting.starts_at)),
    })
    return HTML(string=html).write_pdf()
