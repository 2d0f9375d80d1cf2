"""Fetch-for-user helpers of members: the one place its pages get a person or an import job for a user. A missing
id, another school's (under the tenant scope) and a person the user may not see are the same 404 — so a page
never confirms that someone exists. Sensitive fields are not loaded here: a person's page reads them through the
selectors its permissions allow."""

from members import selectors
from members.models import ImportJob, Person
from orgs.tenancy import get_object_or_404


def person_for_user(user, person_id) -> Person:
    """A person ``user`` may open (``selectors.people_visible_to``: their roles' reach, and themselves)."""
    return get_object_or_404(selectors.person_for_user(user=user), pk=person_id)


def import_job_for_user(user, importjob_id, *, progress_only: bool = False) -> ImportJob:
    """One of the user's school's import jobs (the views are for its admins: ``members.import_people``);
    ``progress_only``: the few fields the progress poll needs."""
    rows = (selectors.import_job_progress if progress_only else selectors.import_job_detail)(tenant=user.tenant)
    return get_object_or_404(rows, pk=importjob_id)

