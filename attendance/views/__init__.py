"""Pages of the attendance app, one module per subject; every view is re-exported here for urls.py."""

from attendance.views.meetings import (  # noqa: F401
    KEYS,
    MONTHLY_FORMATS,
    checkin,
    leave_decide,
    leave_list,
    leave_request,
    meeting_all_present,
    meeting_cancel,
    meeting_create,
    meeting_detail,
    meeting_edit,
    meeting_list,
    meeting_marks,
    meeting_qr,
    meeting_qr_code,
    monthly,
    monthly_download,
    my_attendance,
)
