"""Concurrent saves of attendance marks, with real threads, on whichever database the suite runs on (SQLite by
default, PostgreSQL with DATABASE_URL): no mark lost, the change history a true chain, no deadlock, and the
points ledger (synced by a task after each save's commit, one layer down) never raising a 500 and, once the
burst has drained, equal to a from-scratch computation with no change left unseen. docs/attendance.md
"Concurrent saves" and docs/scoring.md "When the ledger is synced" say how it works."""

import datetime as dt
import json
import sqlite3
import threading
from collections import defaultdict

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from attendance import services
from attendance.models import Attendance, AttendanceChange, Audience, MeetingKind, Status, Task
from attendance.tests.factories import TaskAssignmentFactory, TaskFactory
from members.models import Role
from members.tests.factories import RoleAssignmentFactory, UserFactory
from members.tests.school import build_school
from orgs.tenancy import tenant_scope
from scoring.models import TermSync
from scoring.tests.ledger_checks import _from_scratch, _scores_from_scratch, _stored, _stored_scores

ROUNDS = 50
#: Statuses a round cycles through (no late: its minutes would only add noise); two threads never pick the same
#: one in the same round.
CYCLE = [Status.PRESENT, Status.ABSENT, Status.LEAVE, Status.EARLY_LEAVE]
JOIN_TIMEOUT = 120  # seconds: a thread still alive after it is a deadlock


@pytest.fixture
def shared_db(transactional_db, tmp_path):
    """A database the test's threads share. PostgreSQL: the test database as it is. SQLite: the suite's
    in-memory database lives in a shared cache, whose locks fail at once ("database table is locked") instead
    of waiting like a file's, so the test runs on a copy of it in a file (WAL, IMMEDIATE transactions and a busy
    timeout, exactly as config/settings.py sets up a real SQLite database)."""
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    memory, name = connection.connection, connection.settings_dict["NAME"]
    path = tmp_path / "threads.sqlite3"
    copy = sqlite3.connect(path)
    memory.backup(copy)
    copy.close()
    connection.connection = None  # the in-memory one stays open (it would vanish if closed) until restored
    connection.settings_dict["NAME"] = str(path)  # the same dict every thread's connection is made from
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = name
        connection.connection = memory


def _threads(tenant, work, barrier, count=2):
    """Run ``work(i)`` in ``count`` threads inside the tenant's scope; every error (an exception, a 500) is
    returned (the first one first: it breaks the barrier, so the others stop waiting for it), and a thread that
    does not finish is a deadlock."""
    errors = []

    def run(i):
        try:
            with tenant_scope(tenant):
                work(i)
        except threading.BrokenBarrierError:
            pass  # another thread failed: its error is the one reported
        except BaseException as error:  # noqa: BLE001 - reported by the test
            errors.append(repr(error))
            barrier.abort()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(JOIN_TIMEOUT)
    assert not any(thread.is_alive() for thread in threads), "deadlock: a thread never finished"
    return errors


def _office_client(school):
    user = UserFactory(tenant=school.tenant)
    RoleAssignmentFactory(tenant=school.tenant, user=user, role=Role.OFFICE, organisation=school.org)
    client = Client()
    client.force_login(user)
    return client, user


def _meeting(school, *, hours_ago):
    start = timezone.now() - dt.timedelta(hours=hours_ago)
    with tenant_scope(school.tenant):
        return services.meeting_create(
            organisation=school.org, kind=MeetingKind.PLENARY, title="全体会议", stars=3, starts_at=start,
            ends_at=start + dt.timedelta(minutes=30), audience=Audience.ORGANISATION, user=school.office,
            now=timezone.now())


def _post(client, meeting, marks):
    return client.post(reverse("attendance:meeting_marks", kwargs={"meeting_id": meeting.pk}),
                       data=json.dumps({"marks": marks}), content_type="application/json")


def _assert_true_chain(meeting):
    """Each row's history: starts from unmarked, each old value the previous new one, as many changes as the
    row's version, ending at the row's value. Returns {person: [new status after change 1, 2, …]}."""
    rows = {a.pk: a for a in Attendance.objects.filter(meeting=meeting)}
    history = defaultdict(list)
    for change in AttendanceChange.objects.filter(attendance__meeting=meeting).order_by("pk"):
        history[change.attendance_id].append(change)
    after = {}
    for pk, row in rows.items():
        value = (Status.UNMARKED, None)
        for change in history[pk]:
            assert (change.old_status, change.old_late_minutes) == value, f"broken chain at change {change.pk}"
            value = (change.new_status, change.new_late_minutes)
            assert change.old_status != change.new_status or change.old_late_minutes != change.new_late_minutes
        assert value == (row.status, row.late_minutes)
        assert len(history[pk]) == row.version, "a change without its version, or a duplicate"
        after[row.person_id] = [Status.UNMARKED] + [c.new_status for c in history[pk]]
    return after


@pytest.mark.django_db(transaction=True)
def test_two_offices_marking_one_meeting_at_once_lose_nothing(shared_db):
    """Two office users × 50 rounds, both marking the same three people in each round (in opposite orders),
    with the version they read (compare-and-set: one wins, the other gets the 409 "已被他人修改") in even rounds
    and without it (last writer wins, as a check-in or a leave approval does) in odd ones. Every 200 the server
    gave is in the history at the version it answered, nobody's change is recorded twice, the history is a
    true chain, and no request failed otherwise or deadlocked."""
    school = build_school()
    meeting = _meeting(school, hours_ago=1)
    clients = [_office_client(school) for _ in range(2)]
    with tenant_scope(school.tenant):
        people = sorted(Attendance.objects.filter(meeting=meeting).values_list("person_id", flat=True))
    assert len(people) >= 3
    barrier = threading.Barrier(2, timeout=JOIN_TIMEOUT)
    acknowledged, stale = [], []

    def work(i):
        client, _user = clients[i]
        order = people if i == 0 else people[::-1]
        for round_ in range(ROUNDS):
            barrier.wait()
            seen = dict(Attendance.objects.filter(meeting=meeting).values_list("person_id", "version"))
            status = CYCLE[(round_ + 2 * i) % len(CYCLE)]
            marks = [{"person": p, "status": status, **({"version": seen[p]} if round_ % 2 == 0 else {})}
                     for p in order]
            response = _post(client, meeting, marks)
            if response.status_code == 409:
                stale.append(response.json())
                continue
            assert response.status_code == 200, response.content
            acknowledged.extend(response.json()["rows"])

    assert _threads(school.tenant, work, barrier) == []
    with tenant_scope(school.tenant):
        after = _assert_true_chain(meeting)
    for row in acknowledged:  # the server's 200 says what the row holds at that version: the history agrees
        assert after[row["person"]][row["version"]] == row["status"]
    assert acknowledged and stale  # both paths ran
    assert all(answer["error"].startswith("已被他人修改") and answer["stale"] for answer in stale)


@pytest.fixture
def tasks_run_at_once():
    """The sync tasks a save's commit sends run at once, in the saving thread (Celery's eager mode): the threads'
    syncs then race each other and the other thread's saves, as a worker's would."""
    from config.celery import app

    app.conf.task_always_eager = True
    try:
        yield
    finally:
        app.conf.task_always_eager = False


@pytest.mark.django_db(transaction=True)
def test_marks_of_two_meetings_of_one_term_at_once_keep_the_ledger_whole(shared_db, tasks_run_at_once):
    """Two office users each marking their own meeting of the same term, at the same moment, round after round;
    each save's commit sends the term's sync task, run at once. Before each round a task's deadline passes, so both
    syncs find the same new entry to store (its "missing" points: what the date alone changes, as a month ending
    does). No 500 (``ledger_one_entry_per_fact``), and the stored ledger equals a from-scratch computation
    afterwards.
    """
    school = build_school()
    meetings = [_meeting(school, hours_ago=3), _meeting(school, hours_ago=1)]
    clients = [_office_client(school) for _ in range(2)]
    rounds = ROUNDS // 2
    with tenant_scope(school.tenant):
        people = sorted(Attendance.objects.filter(meeting=meetings[0]).values_list("person_id", flat=True))
        later = timezone.now() + dt.timedelta(days=1)
        tasks = [TaskFactory(tenant=school.tenant, organisation=school.org, created_by=school.office,
                             created_at=timezone.now() - dt.timedelta(days=1), deadline=later) for _ in range(rounds)]
        for task in tasks:
            TaskAssignmentFactory(tenant=school.tenant, task=task, person_id=people[0])
    due = iter(tasks)

    def deadline_passes():  # run by the last thread to reach the barrier, before both go on
        Task.objects.filter(pk=next(due).pk).update(deadline=timezone.now() - dt.timedelta(seconds=1))

    barrier = threading.Barrier(2, action=deadline_passes, timeout=JOIN_TIMEOUT)
    # Each round changes who is late or absent (so ledger entries come and go) in both meetings at once.
    cycle = [{"status": Status.LATE, "late_minutes": 5}, {"status": Status.ABSENT}, {"status": Status.PRESENT}]

    def work(i):
        client, _user = clients[i]
        for round_ in range(rounds):
            barrier.wait()
            marks = [{"person": p, **cycle[(round_ + j) % len(cycle)]} for j, p in enumerate(people)]
            response = _post(client, meetings[i], marks)
            assert response.status_code == 200, response.content

    assert _threads(school.tenant, work, barrier) == []
    with tenant_scope(school.tenant):
        for meeting in meetings:
            _assert_true_chain(meeting)
        stored = _stored(school.org, school.term)
        now = timezone.now()
        assert stored == _from_scratch(school.org, school.term, now)
        assert len([e for e in stored if e[2] == "task_assignment"]) == rounds  # every passed deadline, once
        assert _stored_scores(school.org, school.term) == _scores_from_scratch(school.org, school.term, now)
        state = TermSync.objects.get(organisation=school.org, term=school.term)
        assert state.requested >= 2 * rounds and state.synced == state.requested  # no change left unseen
