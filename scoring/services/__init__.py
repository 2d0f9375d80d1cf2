"""Writes of scoring, one module per subject; every public name is re-exported here."""

from scoring.services.awards import (  # noqa: F401
    award_confirm,
    award_propose,
)
from scoring.services.entries import (  # noqa: F401
    DEPARTMENT_KINDS,
    MEMBER_KINDS,
    TEXT_LENGTH,
    discretionary_decide,
    discretionary_enter,
    discretionary_remove,
    discretionary_revoke,
    discretionary_rule,
    discretionary_settle,
    incident_record,
    incident_remove,
    signed,
)
from scoring.services.ledger import (  # noqa: F401
    OPEN,
    SYNC_REQUEUE_AFTER,
    EntryChange,
    PersonChange,
    RescorePreview,
    SyncResult,
    ladder_sync,
    ledger_lock,
    ledger_request,
    ledger_sync,
    ledger_sync_due,
    ledger_sync_pending,
    ledger_sync_requested,
    member_scores_sync,
    term_rescore,
    term_rescore_preview,
)
from scoring.services.rulebooks import (  # noqa: F401
    POINTS_LIMIT,
    PROBLEMS_SHOWN,
    RULE_FIELDS,
    coverage_messages,
    engine_rulebook,
    rulebook_edit,
    rulebook_ensure,
    term_rulebook_bind,
)
from scoring.services.sanctions import (  # noqa: F401
    sanction_decide,
    sanction_file,
    sanction_revoke,
    sanction_submit,
)
