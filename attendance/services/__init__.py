"""Writes of the attendance app, one module per subject; every public name is re-exported here."""

from attendance.services.meetings import (  # noqa: F401
    MARKABLE,
    attendance_all_present,
    attendance_mark,
    leave_request_create,
    leave_request_decide,
    meeting_cancel,
    meeting_create,
    meeting_series_create,
    meeting_update,
)
