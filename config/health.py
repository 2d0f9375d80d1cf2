"""``/healthz``: is the database answering, and can the Celery broker be reached?

For load balancers, docker-compose healthchecks and people. No login, no tenant scope (it touches no
tenant-owned model), and nothing secret in the answer: no URLs, host names, user names or error messages,
only the kind of backend and, on failure, the exception's class.

    200 {"status": "ok",    "database": {"status": "ok", ...}, "broker": {"status": "ok", ...}}
    503 {"status": "error", ...}   when either check fails
"""

import os
import time
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from kombu import Connection

BROKER_TIMEOUT = 2  # seconds


class HealthProblem(Exception):
    """A failure whose message is safe to show (it names a setting, never a value)."""


def _timed(check):
    started = time.monotonic()
    try:
        result = {"status": "ok", **check()}
    except HealthProblem as exc:
        result = {"status": "error", "error": str(exc)}
    except Exception as exc:  # noqa: BLE001 - a health check reports every failure, it never raises
        result = {"status": "error", "error": type(exc).__name__}
    result["ms"] = round((time.monotonic() - started) * 1000, 1)
    return result


def check_database() -> dict:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"vendor": connection.vendor}


def check_broker() -> dict:
    options = dict(getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {})
    with Connection(settings.CELERY_BROKER_URL, transport_options=options, connect_timeout=BROKER_TIMEOUT) as conn:
        transport = conn.transport_cls
        if transport == "filesystem":
            # The filesystem transport "connects" to anything: check its folders are there and writable.
            for key in ("data_folder_in", "data_folder_out", "processed_folder"):
                folder = options.get(key)
                if folder and not (Path(folder).is_dir() and os.access(folder, os.W_OK | os.X_OK)):
                    raise HealthProblem(f"broker folder {key} is missing or not writable")
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT)
    return {"transport": transport}


@never_cache
@require_GET
def healthz(request):
    database = _timed(check_database)
    broker = _timed(check_broker)
    ok = database["status"] == "ok" and broker["status"] == "ok"
    return JsonResponse(
        {"status": "ok" if ok else "error", "database": database, "broker": broker},
        status=200 if ok else 503,
        json_dumps_params={"ensure_ascii": False},
    )
