"""Writes of the attendance app, one module per subject; every public name is re-exported here."""

from attendance.services.meetings import (  # noqa: F401
    MARKABLE,
    MAX_LATE_MINUTES,
    StaleMark,
    attendance_all_present,
    attendance_mark,
    leave_request_create,
    leave_request_decide,
    meeting_cancel,
    meeting_create,
    meeting_series_create,
    meeting_update,
    valid_id,
)
from attendance.services.records import (  # noqa: F401
    MINUTES_KINDS,
    activity_coordination_set,
    activity_participant_add,
    activity_performance_save,
    activity_proposal_add,
    activity_proposal_remove,
    activity_proposal_update,
    activity_report_save,
    minutes_record,
    plenary_disruption_add,
    plenary_disruption_remove,
    plenary_order_set,
)
from attendance.services.tasks import (  # noqa: F401
    MAX_FILES,
    task_acknowledge,
    task_cancel,
    task_create,
    task_grade,
    task_submit,
    task_update,
)
