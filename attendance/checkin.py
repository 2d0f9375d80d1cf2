"""Self check-in (issue 4 item 3): a rotating QR code at the door, scanned by a logged-in member.

* The code is an HMAC (``salted_hmac`` with ``settings.SECRET_KEY``) of (tenant id, meeting id, 30-second
  window index), truncated to ``CODE_LENGTH`` URL-safe characters. It is accepted for its own window and the
  previous one (a slow scan), compared in constant time: a photo of the screen sent to an absent friend stops
  working within a minute, and a forged code never works.
* A member checks in only their own ``Attendance`` row, once, from ``attendance.checkin_opens_minutes``
  before the start to the end of the meeting; present up to the start, late after it (minutes rounded up),
  which ``services.attendance_mark`` turns into an absence beyond the school's late threshold. The mark is
  an ordinary change of the row (``via="checkin"``), kept in its history as 扫码签到.
* Every function takes ``now`` (and the time the member first opened the link, ``scanned_at``), so tests
  freeze the clock by passing it.
"""

import base64
import datetime as dt
import math

import segno
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from attendance import services
from attendance.models import Attendance, AttendanceChange, Meeting, Status
from attendance.policies import CHECKIN_OPENS_MINUTES
from orgs.calendar import local_date
from orgs.selectors import policy_value

WINDOW_SECONDS = 30
CODE_LENGTH = 10
#: How long after first opening the link (e.g. before logging in) the member may still confirm.
SCAN_GRACE = dt.timedelta(minutes=5)
VIA = "checkin"
_SALT = "attendance.checkin.code"


def window_of(moment: dt.datetime) -> int:
    return int(moment.timestamp()) // WINDOW_SECONDS


def code_for(meeting: Meeting, window: int) -> str:
    digest = salted_hmac(_SALT, f"{meeting.tenant_id}:{meeting.pk}:{window}", secret=settings.SECRET_KEY,
                         algorithm="sha256").digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:CODE_LENGTH]


def current_code(meeting: Meeting, *, now: dt.datetime) -> str:
    return code_for(meeting, window_of(now))


def seconds_left(*, now: dt.datetime) -> float:
    """Seconds until the code shown now changes."""
    return WINDOW_SECONDS - (now.timestamp() % WINDOW_SECONDS)


def code_is_valid(meeting: Meeting, code: str, *, now: dt.datetime) -> bool:
    """The code of ``now``'s window or of the previous one. Both are compared (no early exit)."""
    if not isinstance(code, str) or len(code) != CODE_LENGTH:
        return False
    window = window_of(now)
    current = constant_time_compare(code, code_for(meeting, window))
    previous = constant_time_compare(code, code_for(meeting, window - 1))
    return current or previous


def checkin_path(meeting: Meeting, *, now: dt.datetime) -> str:
    return reverse("attendance:checkin", kwargs={"meeting_id": meeting.pk, "code": current_code(meeting, now=now)})


def window_bounds(meeting: Meeting) -> tuple[dt.datetime, dt.datetime]:
    """From ``attendance.checkin_opens_minutes`` before the start to the end of the meeting."""
    minutes = policy_value(tenant=meeting.tenant, key=CHECKIN_OPENS_MINUTES.key, on=local_date(meeting.starts_at))
    return meeting.starts_at - dt.timedelta(minutes=minutes), meeting.ends_at


def checked_in_count(meeting: Meeting) -> int:
    """How many people have checked themselves in (the live count on the QR screen)."""
    return (AttendanceChange.objects.filter(attendance__meeting=meeting, via=VIA).values("attendance_id")
            .distinct().count())


def refusal(attendance: Attendance, *, code: str, now: dt.datetime, scanned_at: dt.datetime | None = None):
    """Why this check-in cannot happen (a Chinese message and a short reason), or None if it can.

    ``scanned_at``: when the member first opened the link (kept in their session), if within ``SCAN_GRACE``;
    the code is checked against that moment so logging in first does not expire it."""
    meeting = attendance.meeting
    if meeting.is_cancelled:
        return "cancelled", _("会议已取消，无需签到。")
    if attendance.status != Status.UNMARKED:
        if AttendanceChange.objects.filter(attendance=attendance, via=VIA).exists():
            return "done", _("你已签到。")
        return "done", _("你已签到：考勤已记录为“%(status)s”。") % {"status": attendance.get_status_display()}
    seen = scanned_at if scanned_at is not None and now - SCAN_GRACE <= scanned_at <= now else now
    if not code_is_valid(meeting, code, now=seen):
        return "expired", _("二维码已过期，请重新扫描。")
    opens, closes = window_bounds(meeting)
    if not opens <= now <= closes:
        return "closed", _("不在签到时间内（会议开始前 %(n)s 分钟至会议结束）。") % {
            "n": int((meeting.starts_at - opens).total_seconds() // 60)}
    return None


def mark_for(meeting: Meeting, *, now: dt.datetime) -> dict:
    """Present up to the start; late after it, the minutes rounded up."""
    if now <= meeting.starts_at:
        return {"status": Status.PRESENT}
    return {"status": Status.LATE, "late_minutes": math.ceil((now - meeting.starts_at).total_seconds() / 60)}


@transaction.atomic
def check_in(*, attendance: Attendance, user, code: str, now: dt.datetime,
             scanned_at: dt.datetime | None = None) -> Attendance:
    """Mark the user's own row by the clock, once. Raises a Chinese ValidationError (code: cancelled, expired,
    done, closed, not_yours) and changes nothing otherwise."""
    if user.person_id is None or user.person_id != attendance.person_id:
        raise ValidationError(_("只能为自己签到。"), code="not_yours")
    # Lock the row: two quick taps must not both mark it.
    attendance = Attendance.objects.select_for_update().select_related("meeting", "meeting__tenant").get(
        pk=attendance.pk)
    refused = refusal(attendance, code=code, now=now, scanned_at=scanned_at)
    if refused is not None:
        raise ValidationError(refused[1], code=refused[0])
    meeting = attendance.meeting
    [row] = services.attendance_mark(meeting=meeting, marks=[{"person": attendance.person_id,
                                                              **mark_for(meeting, now=now)}],
                                     user=user, now=now, via=VIA, by_clock=True)
    return row


def qr_svg(url: str) -> str:
    """The QR code of ``url`` as inline SVG (segno, server-side), scaled by CSS."""
    return segno.make(url, error="m").svg_inline(scale=1, border=2, omitsize=True, dark="#111", light="#fff",
                                                 svgclass="qr-svg", lineclass=None)
