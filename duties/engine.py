"""Which reminders an item owes at a moment: pure, no database (docs/duties.md, "When a reminder is owed")."""

import datetime as dt

from duties.registry import Due


def reminders_owed(item: Due, now: dt.datetime, offsets_days: list[int]) -> list[tuple[str, frozenset[int]]]:
    """(kind, user ids) the item owes at ``now``; done items owe nothing.

    Before the due time: the latest reminder whose time has come — "before:1" once a day is left, "before:3"
    while three are left — to the responsible people, so a scan that first sees an item 12 hours before its due
    time sends one reminder, not two. From the due time on: "overdue" to the responsible people and
    "overdue_above" to the people above them (anyone above who is also responsible gets the first only)."""
    if item.done:
        return []
    if now >= item.due_at:
        owed = [("overdue", item.responsible)]
        above = item.above - item.responsible
        if above:
            owed.append(("overdue_above", above))
        return [(kind, users) for kind, users in owed if users]
    opened = [days for days in sorted(set(offsets_days)) if days > 0 and item.due_at - dt.timedelta(days=days) <= now]
    if opened and item.responsible:
        return [(f"before:{opened[0]}", item.responsible)]
    return []
