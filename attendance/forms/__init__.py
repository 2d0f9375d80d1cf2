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
from attendance.forms.records import (  # noqa: F401
    ActivityReportForm,
    CoordinationForm,
    DisruptionForm,
    MinutesForm,
    PerformanceForm,
    PersonForm,
    PlenaryOrderForm,
    ProposalForm,
    ProposalUpdateForm,
)
from attendance.forms.tasks import (  # noqa: F401
    TaskEditForm,
    TaskFilterForm,
    TaskForm,
    TaskSubmitForm,
    default_deadline,
)
