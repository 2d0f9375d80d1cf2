"""The benchmark suite behind ``python manage.py bench``.

Each app declares its benchmarks in a ``benchmarks.py`` module (found like ``rules.py``), with
``@benchmark("name")`` on a function ``run(ctx) -> list[Result]``. A result pairs a measurement with the
physical-limit baseline measured in the same run (the least work that produces the same rows), so the
ratio says how far the product is from what the machine allows.

``measure(fn)`` runs ``fn`` in a forked child process: its wall time, and its peak resident memory (the
child's ``ru_maxrss``, so one benchmark's memory never hides behind another's). Database connections are
closed before the fork; the child opens its own and its writes are committed, so a later step sees them.
"""

import json
import os
import pickle
import resource
import time
import traceback
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

from django.apps import apps
from django.db import connection, connections, transaction

from orgs.models import Tenant
from orgs.tenancy import TenantOwned

SIZES = {"small": 1000, "full": 30000}


@dataclass
class Timing:
    seconds: float
    peak_mb: float  # peak resident set of the process that ran it
    value: object = None


@dataclass
class Result:
    name: str
    seconds: float
    peak_mb: float
    rows: int
    baseline: str = ""
    baseline_seconds: float | None = None
    goal: str = ""
    notes: dict = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        return None if not self.baseline_seconds else self.seconds / self.baseline_seconds

    def as_dict(self):
        return {**asdict(self), "ratio": self.ratio}


@dataclass
class Context:
    size: str
    students: int
    workdir: str
    log: Callable[[str], None]


REGISTRY: dict[str, Callable[[Context], list[Result]]] = {}


def benchmark(name: str):
    def register(func):
        REGISTRY[name] = func
        return func

    return register


def measure(fn: Callable[[], object]) -> Timing:
    """Run ``fn`` in a forked child; its return value must pickle."""
    connections.close_all()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        status = 0
        try:
            started = time.perf_counter()
            value = fn()
            seconds = time.perf_counter() - started
            payload = {"seconds": seconds, "value": value,
                       "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
        except BaseException:  # report any failure to the parent, never fall back into its code
            payload, status = {"error": traceback.format_exc()}, 1
        finally:
            connections.close_all()
        with os.fdopen(write, "wb") as out:
            pickle.dump(payload, out)
        os._exit(status)
    os.close(write)
    with os.fdopen(read, "rb") as incoming:
        payload = pickle.load(incoming)  # noqa: S301 (our own child's bytes)
    os.waitpid(pid, 0)
    if "error" in payload:
        raise RuntimeError(f"benchmark step failed in its process:\n{payload['error']}")
    return Timing(payload["seconds"], payload["peak_mb"], payload["value"])


def tenant_purge(slug: str) -> None:
    """Delete a benchmark school and all its rows, fast (raw deletes per table in one transaction).

    Only for schools whose slug starts with ``bench``. Foreign-key enforcement is switched off for the purge:
    every row of the school goes, so no reference can dangle, and the database's per-row checks would scan
    the child tables (their foreign keys are indexed only behind tenant_id, which such a check cannot use):
    with them on, purging 30,000 students took minutes on SQLite.
    """
    if not slug.startswith("bench"):
        raise ValueError("tenant_purge is only for benchmark schools")
    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None:
        return
    tables = [m._meta.db_table for m in apps.get_models() if issubclass(m, TenantOwned)]
    user_table = apps.get_model("members", "User")._meta.db_table
    with _foreign_keys_off(), transaction.atomic(), connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'DELETE FROM "{table}" WHERE tenant_id = %s', [tenant.pk])  # noqa: S608
        cursor.execute(f'DELETE FROM "{user_table}" WHERE tenant_id = %s', [tenant.pk])  # noqa: S608
        cursor.execute(f'DELETE FROM "{Tenant._meta.db_table}" WHERE id = %s', [tenant.pk])  # noqa: S608


@contextmanager
def _foreign_keys_off():
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_keys = OFF")  # outside a transaction, as SQLite requires
        elif connection.vendor == "postgresql":
            cursor.execute("SET session_replication_role = replica")  # needs a superuser, as in CI and bench
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.execute("PRAGMA foreign_keys = ON")
            elif connection.vendor == "postgresql":
                cursor.execute("SET session_replication_role = DEFAULT")


def write_json(path: str, results: list[Result], **meta) -> None:
    with open(path, "w", encoding="utf-8") as out:
        json.dump({**meta, "results": [r.as_dict() for r in results]}, out, ensure_ascii=False, indent=2)
