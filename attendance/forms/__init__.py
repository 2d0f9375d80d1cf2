"""Forms of the attendance app, one module per subject."""

from attendance.forms.meetings import (  # noqa: F401
    DATETIME_LOCAL,
    CancelForm,
    LeaveForm,
    MeetingEditForm,
    MeetingFilterForm,
    MeetingForm,
    default_start,
)
