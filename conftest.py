"""Project-wide test setup: fast password hashing, uploads in a temporary folder, Chromium launch flags, no
browser context left open after a browser test, and no sensitive name in a notification the test produced."""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True, scope="session")
def _tasks_stay_in_the_process():
    """What a test's commit sends to Celery (a mark's ledger sync: live_server's requests really commit) goes to
    an in-memory broker, never to the machine's Redis or the demo's filesystem queue, where no worker of the test
    would run it and a later one would, for a school that no longer exists. Tests that need a task run use eager
    mode (members/tests/conftest.py ``eager``)."""
    from config.celery import app

    app.conf.broker_url = "memory://"


@pytest.fixture(autouse=True)
def _fast_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploaded files (task attachments) go to the test's own folder, never to the demo's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": "/usr/bin/chromium",
        "args": [
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-quic",
        ],
    }


@pytest.fixture(autouse=True)
def _no_browser_context_left_open(request):
    """A browser test must leave no context open (pytest-playwright's ``page``, ``context`` and ``new_context``
    close theirs; ``browser.new_context()`` does not). An open page keeps its keep-alive connection, and a polling
    one (the QR screen) its requests, to ``live_server`` for the rest of the session. Its request threads share
    the in-memory SQLite connection with the tests that follow (their queries can land in a test's query count),
    fail with "Database access not allowed" during tests without the database, and, once the server has stopped
    at the end of the session, close that connection from their own thread: PytestUnhandledThreadExceptionWarning
    "DatabaseWrapper objects created in a thread can only be used in that same thread"."""
    if request.node.get_closest_marker("browser") is None or "browser" not in request.fixturenames:
        yield
        return
    browser = request.getfixturevalue("browser")
    yield
    left = list(browser.contexts)
    for context in left:
        context.close()
    if left:
        pytest.fail(f"{request.node.name} left {len(left)} browser context(s) open: create them with the "
                    "new_context fixture, which closes them, not browser.new_context()", pytrace=False)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """No sensitive name in any notification text (DESIGN.md "Data that must not leak"; duties/sensitive.py): after
    the body of every test that used the database — its rows still there, outside any ``django_assert_num_queries``
    block of the test —, every notification of every school is read against the names of the people holding a
    sensitive record (members/sensitive.py's registry, which each app extends). A name found fails the test. No
    notification: one cheap query. Skipped when the test failed already, or left its transaction unusable (a test
    that expected a database error)."""
    result = yield
    if item.get_closest_marker("django_db") is None and "_django_db_helper" not in item.fixturenames:
        return result
    from django.db import DatabaseError, connection

    from duties.sensitive import notification_leaks

    if connection.needs_rollback:
        return result
    try:
        leaks = notification_leaks()
    except DatabaseError:
        return result
    if leaks:
        shown = "; ".join(f"notification {leak.notification} names {leak.name}: {leak.text!r}" for leak in leaks[:5])
        pytest.fail(f"a notification text names a person holding a sensitive record ({len(leaks)}): {shown}",
                    pytrace=False)
    return result


def pytest_collection_modifyitems(config, items):
    """Browser tests (marker ``browser``) need Debian's Chromium: skipped without it, except in CI (.ci/run
    installs it), where its absence is an error rather than a silent skip."""
    browser = [item for item in items if item.get_closest_marker("browser")]
    if not browser or CHROMIUM.exists():
        return
    if os.environ.get("CI"):
        raise pytest.UsageError("CI needs Debian's chromium at /usr/bin/chromium (installed by .ci/run)")
    skip = pytest.mark.skip(reason="Debian's chromium is not installed (apt-get install chromium)")
    for item in browser:
        item.add_marker(skip)
