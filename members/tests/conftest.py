"""Fixtures shared by the members tests."""

import pytest


@pytest.fixture
def eager(django_capture_on_commit_callbacks):
    """Celery tasks run inline, once the request's transaction commits (as a worker would pick them up)."""
    from config.celery import app
    from members import tasks  # noqa: F401  (registers the import tasks: services enqueue them by name)

    app.conf.task_always_eager = True
    try:
        yield lambda: django_capture_on_commit_callbacks(execute=True)
    finally:
        app.conf.task_always_eager = False
