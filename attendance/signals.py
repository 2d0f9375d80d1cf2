"""News for the apps above attendance (scoring): the facts of an organisation changed.

Sent by the services inside their transaction, so a listener's writes (the points ledger) commit or roll back
with the facts: the stored ledger never disagrees with them.
"""

import datetime as dt

from django.dispatch import Signal

#: kwargs: ``organisation_id``; ``on``: the school-local date of the changed facts (which term they belong to);
#: ``now``: the moment of the write (what "as of" means for the listener).
facts_changed = Signal()


def notify(*, organisation_id: int, on: dt.date, now: dt.datetime) -> None:
    facts_changed.send(sender=None, organisation_id=organisation_id, on=on, now=now)
