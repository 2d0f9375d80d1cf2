"""CI runs the load benchmark (scripts/loadbench.py) at its small size so it never rots: the production layout
against a scratch PostgreSQL database and Redis, users logging in through /login/ and every request of the mix
answering 200 (figures: docs/benchmarks.md, "Load benchmark")."""

import json
import os
import re
import socket
import subprocess
import sys
import urllib.parse
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
KINDS = {"attendance", "scores", "member", "mark", "healthz"}


def _redis_url() -> str | None:
    """Redis db 13 of the server REDIS_URL names (else 127.0.0.1:6379), if it answers."""
    parts = urllib.parse.urlsplit(os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0")
    if parts.scheme != "redis":
        return None
    host, port = parts.hostname or "127.0.0.1", parts.port or 6379
    try:
        with socket.create_connection((host, port), timeout=2) as conn:
            conn.sendall(b"PING\r\n")
            if not conn.recv(20).startswith(b"+PONG"):
                return None
    except OSError:
        return None
    return urllib.parse.urlunsplit(parts._replace(path="/13"))


def test_loadbench_small_runs_the_production_layout_under_load_without_an_error(tmp_path):
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        pytest.skip("the load benchmark needs PostgreSQL: DATABASE_URL is not a postgres:// URL")
    redis_url = _redis_url()
    if redis_url is None:
        pytest.skip("the load benchmark needs Redis: none answers at REDIS_URL (or 127.0.0.1:6379)")
    # a database of its own per run (parallel runs never clash), on the server of DATABASE_URL
    scratch = urllib.parse.urlunsplit(urllib.parse.urlsplit(database_url)._replace(
        path=f"/campus_loadbench_test_{uuid.uuid4().hex[:10]}"))
    out = tmp_path / "loadbench.json"
    run = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "loadbench.py"), "--size", "small", "--fail-on-error",
         "--json", str(out), "--bind", "127.0.0.1:0", "--database-url", scratch, "--redis-url", redis_url,
         "--var-dir", str(tmp_path / "var"), "--timeout", "220"],
        cwd=ROOT, capture_output=True, text=True, timeout=240)
    log = tmp_path / "var" / "prodlayout" / "layout.log"
    assert run.returncode == 0, f"{run.stdout}\n{run.stderr}\n{log.read_text()[-4000:] if log.exists() else ''}"

    report = json.loads(out.read_text())
    assert report["meta"]["size"] == "small" and report["meta"]["users"] == 5 and report["meta"]["members"] == 20
    mix = report["phases"]["mix"]
    assert set(mix["kinds"]) == KINDS
    for kind, figures in [*mix["kinds"].items(), ("mix", mix["total"]),
                          ("healthz alone", report["phases"]["trivial"]["total"])]:
        assert figures["requests"] > 0, kind
        assert figures["errors"] == 0 and figures["statuses_not_200"] == {}, (kind, figures)
        assert figures["req_per_s"] > 0 and 0 < figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"] \
            <= figures["max_ms"], (kind, figures)
        assert figures["bytes_per_response"] > 0, kind
        # gunicorn's access log saw each request, with its time in the worker
        assert figures["server_requests"] == figures["requests"] and figures["server_p50_ms"] > 0, (kind, figures)
    assert mix["kinds"]["attendance"]["bytes_per_response"] > mix["kinds"]["healthz"]["bytes_per_response"]
    assert set(report["ratios"]["p50_vs_trivial"]) == KINDS and report["ratios"]["mix_req_per_s_vs_trivial"] > 0
    assert "attendance page" in run.stdout and "/healthz alone" in run.stdout

    # everything it started has stopped, and its database is gone
    text = log.read_text()
    groups = [int(g) for g in re.findall(r"^\[\w+\] started, process group (\d+)$", text, re.M)]
    assert len(groups) == 3 and "stopped: web worker beat" in text
    for pgid in groups:
        with pytest.raises(ProcessLookupError):
            os.killpg(pgid, 0)
    import psycopg

    admin = urllib.parse.urlunsplit(urllib.parse.urlsplit(database_url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        name = urllib.parse.urlsplit(scratch).path.lstrip("/")
        assert conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None
