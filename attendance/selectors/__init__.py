"""Reads of the attendance app, one module per subject; every public name is re-exported here."""

from attendance.selectors.meetings import (  # noqa: F401
    TOTAL_STATUSES,
    MonthlySheet,
    SheetRow,
    attendance_changes,
    attendance_rows,
    can_record,
    late_threshold,
    leave_requests_decidable_by,
    may_see_monthly_sheet,
    meeting_list,
    meetings_visible_to,
    month_bounds,
    monthly_sheet,
    monthly_sheet_scope,
    my_attendance,
    my_leave_requests,
    pending_leave_requests,
    sees_all_rows,
)
