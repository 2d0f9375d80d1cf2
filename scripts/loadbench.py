#!/usr/bin/env python3
"""The project's own load benchmark (issue 11, item 1): the production process layout under N logged-in users.

    .venv/bin/python scripts/loadbench.py [--size small|full] [--users N] [--seconds S] [--think MEAN]
                                          [--workers W] [--json FILE] [--fail-on-error] [--keep] ...

1. Creates a scratch PostgreSQL database and starts scripts/run-production-layout.sh against it (check --deploy,
   migrate, collectstatic, then gunicorn with W sync workers, one Celery worker, one beat) with DJANGO_DEBUG=false,
   a generated DJANGO_SECRET_KEY, DJANGO_ALLOWED_HOSTS=127.0.0.1, Redis db 13, on a loopback port of its own.
2. Seeds a school into it (this file's ``seed`` step, run in a child process with Django set up):
   ``seed_university`` sized so that the peer-support alliance has 300 members (20 at --size small), a term of
   past plenaries with marks (some late, absent, on leave, leaving early), the term's ledger synced, and one
   current plenary (started an hour ago) with every member expected, all present, ten late.
3. Creates N users with the office role on the alliance; each logs in through the real /login/ page.
4. Drives the N users for --seconds in a closed loop (--think: a mean think time between clicks, exponential),
   each click one of: the plenary's attendance page, the alliance's scores page, a member's score page, saving
   one mark (JSON POST, as the page's script sends it), and /healthz (weights: --mix). Then a second phase in
   which the same users ask only /healthz: the trivial view's figures on their own.
5. Prints a table per request kind and for the mix: requests, req/s, p50/p95/p99/max ms, errors (HTTP status
   other than 200, 5xx among them, timeouts, connection errors), KB per response, and each p50 as a multiple
   of the trivial view's; --json FILE writes the same. Stops everything it started (on exit, error, Ctrl-C,
   SIGTERM or its own --timeout), drops the database unless --keep.

The load generator is one asyncio process with a minimal HTTP/1.1 client (gunicorn's sync workers close the
connection after each response), so that it takes as little of the machine's CPU as possible. The requests
carry ``X-Forwarded-Proto: https`` and an ``Origin``, as they would behind the TLS proxy of a deployment.
docs/benchmarks.md, "Load benchmark", says how to read the output.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import re
import resource
import secrets
import shlex
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SLUG = "loadbench"
SCRATCH_PREFIX = "campus_loadbench"  # a database whose name starts with this is ours to drop and re-create
PLENARY_TITLE = "负载测试：本次全体会议"
TERM_TITLE = "负载测试：全体会议"
MARKABLE = ("present", "late", "early_leave", "leave", "absent")
KINDS = ("attendance", "scores", "member", "mark", "healthz")
LABELS = {
    "attendance": "attendance page",
    "scores": "scores page",
    "member": "member's score page",
    "mark": "save a mark (POST)",
    "healthz": "/healthz (in the mix)",
}


@dataclass(frozen=True)
class Size:
    students: int  # seed_university's alliance: min(300, max(12, students // 50)) members
    sessions: int  # past plenaries in the term, every member expected
    users: int
    seconds: float
    trivial_seconds: float
    warmup: float


SIZES = {
    "small": Size(students=1000, sessions=5, users=5, seconds=4, trivial_seconds=2, warmup=0),
    "full": Size(students=15000, sessions=100, users=50, seconds=60, trivial_seconds=15, warmup=5),
}


# --------------------------------------------------------------------------------------------------------------
# The seed step: runs in a child process (``loadbench.py seed ...``) with the layout's environment and Django.
# It uses the product's services and seed_university only (not the private helpers of the apps' benchmarks.py,
# which change with them).
# --------------------------------------------------------------------------------------------------------------


def seed(tree: Path, students: int, sessions: int, users: int, password: str) -> dict:
    sys.path.insert(0, str(tree))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.utils import timezone

    from attendance import services as attendance
    from attendance.models import Attendance, Audience, Meeting, MeetingKind, Status
    from members.models import Role, RoleAssignment, User
    from orgs.calendar import local_date
    from orgs.models import Organisation, OrganisationKind, Tenant, Term
    from orgs.tenancy import tenant_scope
    from scoring import services as scoring

    call_command("seed_university", tenant=SLUG, students=students, quiet=True)
    tenant = Tenant.objects.get(slug=SLUG)
    now = timezone.now()
    today = local_date(now)
    with tenant_scope(tenant):
        alliance = Organisation.objects.get(kind=OrganisationKind.ALLIANCE)
        term = Term.objects.filter(start__lte=today, end__gte=today).first() or Term.objects.create(
            tenant=tenant, name="负载测试学期", start=today - dt.timedelta(days=120), end=today + dt.timedelta(days=30))
        hashed = make_password(password)  # one hash for all: PBKDF2 per user would cost half a second each
        accounts = []
        for i in range(users):
            user, _created = User.objects.update_or_create(
                username=f"{SLUG}_office_{i:03d}", defaults={"tenant": tenant, "password": hashed, "is_active": True})
            RoleAssignment.objects.get_or_create(tenant=tenant, user=user, role=Role.OFFICE, organisation=alliance,
                                                 defaults={"start": dt.date(2020, 1, 1)})
            accounts.append(user.username)
        office = User.objects.get(username=accounts[0])

        # The term's past plenaries, marked deterministically (as scoring/benchmarks.py does): 12 in 16 present,
        # then one each of late (5 minutes), absent, on leave, left early; the facts are synced once at the end.
        first = max(dt.datetime.combine(term.start, dt.time(19), now.tzinfo), now - dt.timedelta(days=100))
        step = (now - dt.timedelta(hours=3) - first) / max(sessions, 1)
        statuses = [Status.PRESENT] * 12 + [Status.LATE, Status.ABSENT, Status.LEAVE, Status.EARLY_LEAVE]
        for i in range(sessions):
            starts = first + step * i
            meeting = attendance.meeting_create(
                organisation=alliance, kind=MeetingKind.PLENARY, title=TERM_TITLE, stars=3, starts_at=starts,
                ends_at=starts + dt.timedelta(minutes=30), audience=Audience.ORGANISATION, user=office, now=now,
                notify_facts=False)
            rows = list(Attendance.objects.filter(meeting=meeting).order_by("pk").values_list("pk", flat=True))
            by_status: dict[str, list[int]] = {}
            for j, pk in enumerate(rows):
                by_status.setdefault(statuses[(i * 7 + j) % len(statuses)], []).append(pk)
            for status, pks in by_status.items():
                Attendance.objects.filter(pk__in=pks).update(
                    status=status, late_minutes=5 if status == Status.LATE else None, updated_at=starts,
                    updated_by=office)

        # The current plenary, as the office reloads its page: everyone present, then ten exceptions.
        starts = now - dt.timedelta(hours=1)
        plenary = attendance.meeting_create(
            organisation=alliance, kind=MeetingKind.PLENARY, title=PLENARY_TITLE, stars=3, starts_at=starts,
            ends_at=starts + dt.timedelta(hours=2), audience=Audience.ORGANISATION, user=office, now=now)
        attendance.attendance_all_present(meeting=plenary, user=office, now=timezone.now())
        people = list(Attendance.objects.filter(meeting=plenary).order_by("pk").values_list("person_id", flat=True))
        attendance.attendance_mark(meeting=plenary, user=office, now=timezone.now(), marks=[
            {"person": pk, "status": Status.LATE, "late_minutes": 5} for pk in people[:10]])
        scoring.ledger_sync(organisation=alliance, term=term, now=timezone.now())
        marks = Attendance.objects.filter(meeting__organisation=alliance).count()
        past = Meeting.objects.filter(organisation=alliance, title=TERM_TITLE).count()
    return {"tenant": tenant.pk, "organisation": alliance.pk, "term": term.pk, "meeting": plenary.pk,
            "people": people, "users": accounts, "sessions": past, "marks": marks}


# --------------------------------------------------------------------------------------------------------------
# The load generator: a minimal HTTP/1.1 client over asyncio (one connection per request, Connection: close).
# --------------------------------------------------------------------------------------------------------------


class ConnectionFailed(Exception):
    pass


@dataclass
class Response:
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def header(self, name: str) -> str | None:
        return next((v for k, v in self.headers if k == name), None)


async def _read_body(reader: asyncio.StreamReader, headers: list[tuple[str, str]]) -> bytes:
    values = dict(headers)
    if "content-length" in values:
        return await reader.readexactly(int(values["content-length"]))
    if "chunked" in values.get("transfer-encoding", "").lower():
        chunks = []
        while True:
            size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while (await reader.readline()).strip():  # trailers, then the blank line
                    pass
                return b"".join(chunks)
            chunks.append(await reader.readexactly(size))
            await reader.readline()
    return await reader.read()  # until the server closes


async def http(host: str, port: int, method: str, target: str, headers: dict[str, str], body: bytes = b"",
               ) -> Response:
    try:
        reader, writer = await asyncio.open_connection(host, port)
    except OSError as error:
        raise ConnectionFailed(f"connect: {type(error).__name__}") from None
    try:
        lines = [f"{method} {target} HTTP/1.1", f"Host: {host}:{port}", "Connection: close",
                 *(f"{k}: {v}" for k, v in headers.items())]
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await writer.drain()
        status_line = await reader.readline()
        if not status_line:
            raise ConnectionFailed("closed before the status line")
        status = int(status_line.split()[1])
        response_headers = []
        while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
            name, _sep, value = line.decode("latin-1").partition(":")
            response_headers.append((name.strip().lower(), value.strip()))
        return Response(status, response_headers, await _read_body(reader, response_headers))
    except (OSError, asyncio.IncompleteReadError, ValueError, IndexError) as error:
        raise ConnectionFailed(type(error).__name__) from None
    finally:
        writer.close()
        with contextlib.suppress(Exception):
            await writer.wait_closed()


class Browser:
    """A browser of one account: its cookies, and the headers a request behind the TLS proxy carries."""

    def __init__(self, host: str, port: int, username: str):
        self.host, self.port, self.username = host, port, username
        self.phase = "login"  # in the User-Agent, so gunicorn's access log tells the phases apart
        self.cookies: dict[str, str] = {}
        self.origin = f"https://{host}:{port}"

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"X-Forwarded-Proto": "https", "User-Agent": f"campus-loadbench/{self.phase}",
                   "Accept-Language": "zh-hans"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {**headers, **(extra or {})}

    def _keep_cookies(self, response: Response) -> None:
        for name, value in response.headers:
            if name != "set-cookie":
                continue
            pair, *attributes = value.split(";")
            key, _sep, val = pair.strip().partition("=")
            expired = any(a.strip().lower() in ("max-age=0",) for a in attributes) or val in ('""', "")
            if expired:
                self.cookies.pop(key, None)
            else:
                self.cookies[key] = val

    async def get(self, target: str) -> Response:
        response = await http(self.host, self.port, "GET", target, self._headers({"Accept": "text/html"}))
        self._keep_cookies(response)
        return response

    async def post(self, target: str, body: bytes, content_type: str, accept: str = "text/html") -> Response:
        headers = self._headers({"Content-Type": content_type, "Accept": accept, "Origin": self.origin,
                                 "Referer": f"{self.origin}{target}",
                                 "X-CSRFToken": self.cookies.get("csrftoken", "")})
        response = await http(self.host, self.port, "POST", target, headers, body)
        self._keep_cookies(response)
        return response

    async def log_in(self, password: str) -> None:
        page = await self.get("/login/")
        if page.status != 200 or "csrftoken" not in self.cookies:
            raise RuntimeError(f"GET /login/ for {self.username}: {page.status}, cookies {sorted(self.cookies)}")
        form = urllib.parse.urlencode({"csrfmiddlewaretoken": self.cookies["csrftoken"], "username": self.username,
                                       "password": password, "tenant": ""}).encode()
        done = await self.post("/login/", form, "application/x-www-form-urlencoded")
        if done.status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"POST /login/ for {self.username}: {done.status} (expected a 302 with a session)"
                               f"\n{done.body[:600].decode('utf-8', 'replace')}")


@dataclass
class Sample:
    kind: str
    ms: float
    status: int | None  # None: no response
    nbytes: int
    error: str = ""  # "", "http", "timeout", "connection"


@dataclass
class Plan:
    """What the users click: the ids the seed step returned."""

    meeting: int
    organisation: int
    term: int
    people: list[int]

    def request(self, kind: str, rng: random.Random) -> tuple[str, str, bytes]:
        if kind == "attendance":
            return "GET", f"/attendance/meetings/{self.meeting}/", b""
        if kind == "scores":
            return "GET", f"/scoring/organisations/{self.organisation}/?term={self.term}", b""
        if kind == "member":
            person = rng.choice(self.people)
            return "GET", f"/scoring/organisations/{self.organisation}/people/{person}/?term={self.term}", b""
        if kind == "mark":
            status = rng.choice(MARKABLE)
            mark = {"person": rng.choice(self.people), "status": status}
            if status == "late":
                mark["late_minutes"] = 5
            return "POST", f"/attendance/meetings/{self.meeting}/marks/", json.dumps({"marks": [mark]}).encode()
        return "GET", "/healthz", b""


async def _click(user: Browser, plan: Plan, kind: str, rng: random.Random, timeout: float) -> Sample:
    method, target, body = plan.request(kind, rng)
    started = time.perf_counter()
    try:
        if method == "POST":
            response = await asyncio.wait_for(user.post(target, body, "application/json", "application/json"),
                                              timeout)
        else:
            response = await asyncio.wait_for(user.get(target), timeout)
    except TimeoutError:
        return Sample(kind, (time.perf_counter() - started) * 1000, None, 0, "timeout")
    except ConnectionFailed:
        return Sample(kind, (time.perf_counter() - started) * 1000, None, 0, "connection")
    ms = (time.perf_counter() - started) * 1000
    return Sample(kind, ms, response.status, len(response.body), "" if response.status == 200 else "http")


async def _drive(users: list[Browser], plan: Plan, kinds: list[str], weights: list[float], seconds: float,
                 think: float, timeout: float, seed_value: int) -> tuple[list[Sample], float]:
    """Each user clicks in a closed loop until ``seconds`` have passed; a click under way at the end finishes
    (and counts). Returns the samples and the phase's wall time (to the last response)."""
    samples: list[Sample] = []
    started = time.perf_counter()
    deadline = started + seconds

    async def one(index: int, user: Browser):
        rng = random.Random(seed_value * 1000 + index)
        if think > 0:  # spread the first clicks over one think time, not all at once
            await asyncio.sleep(rng.uniform(0, think))
        while time.perf_counter() < deadline:
            kind = rng.choices(kinds, weights)[0]
            samples.append(await _click(user, plan, kind, rng, timeout))
            if think > 0:
                await asyncio.sleep(min(rng.expovariate(1 / think), max(0.0, deadline - time.perf_counter())))

    await asyncio.gather(*(one(i, u) for i, u in enumerate(users)))
    return samples, time.perf_counter() - started


async def _log_in_all(users: list[Browser], password: str, parallel: int) -> float:
    started = time.perf_counter()
    gate = asyncio.Semaphore(parallel)

    async def one(user: Browser):
        async with gate:
            await user.log_in(password)

    await asyncio.gather(*(one(u) for u in users))
    return time.perf_counter() - started


# gunicorn's default access log format plus %(D)s, the request's time in the worker in microseconds (from reading
# the request to sending the last byte: no wait in the listen queue), passed through GUNICORN_CMD_ARGS.
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)s'
_ACCESS = re.compile(r'"(?:GET|POST) (\S+) HTTP/1\.1" \d{3} \S+ "[^"]*" "campus-loadbench/(\w+)" (\d+)$', re.M)
_PATHS = [("mark", re.compile(r"/attendance/meetings/\d+/marks/$")),
          ("attendance", re.compile(r"/attendance/meetings/\d+/$")),
          ("member", re.compile(r"/scoring/organisations/\d+/people/\d+/(\?.*)?$")),
          ("scores", re.compile(r"/scoring/organisations/\d+/(\?.*)?$")),
          ("healthz", re.compile(r"/healthz$")),
          ("login", re.compile(r"/login/$"))]


def server_times(log_text: str) -> dict[str, dict[str, list[float]]]:
    """{phase: {kind: [ms in the gunicorn worker, ...]}} from the access log."""
    times: dict[str, dict[str, list[float]]] = {}
    for target, phase, micros in _ACCESS.findall(log_text):
        kind = next((k for k, pattern in _PATHS if pattern.match(target)), "other")
        times.setdefault(phase, {}).setdefault(kind, []).append(int(micros) / 1000)
    return times


def server_stats(ms: list[float], seconds: float, workers: int) -> dict:
    ordered = sorted(ms)
    return {"server_requests": len(ordered), "server_p50_ms": _percentile(ordered, 0.5),
            "server_p95_ms": _percentile(ordered, 0.95),
            "server_mean_ms": statistics.fmean(ordered) if ordered else None,
            # the share of the workers' time this kind took (1.0: every worker busy all the time)
            "server_busy": sum(ordered) / 1000 / (seconds * workers) if seconds else None}


# --------------------------------------------------------------------------------------------------------------
# Statistics and the report
# --------------------------------------------------------------------------------------------------------------


def _percentile(sorted_values: list[float], q: float) -> float | None:
    if not sorted_values:
        return None
    k = (len(sorted_values) - 1) * q  # linear interpolation between the closest ranks
    lo, hi = int(k), min(int(k) + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def stats(samples: list[Sample], seconds: float) -> dict:
    answered = sorted(s.ms for s in samples if s.status is not None)
    statuses: dict[str, int] = {}
    for s in samples:
        if s.status is not None and s.status != 200:
            statuses[str(s.status)] = statuses.get(str(s.status), 0) + 1
    errors = {
        "http": sum(1 for s in samples if s.error == "http"),
        "http_5xx": sum(1 for s in samples if s.error == "http" and s.status >= 500),
        "timeout": sum(1 for s in samples if s.error == "timeout"),
        "connection": sum(1 for s in samples if s.error == "connection"),
    }
    sizes = [s.nbytes for s in samples if s.status is not None]
    return {
        "requests": len(samples),
        "req_per_s": len(samples) / seconds if seconds else 0.0,
        "p50_ms": _percentile(answered, 0.50), "p95_ms": _percentile(answered, 0.95),
        "p99_ms": _percentile(answered, 0.99), "max_ms": answered[-1] if answered else None,
        "mean_ms": statistics.fmean(answered) if answered else None,
        "errors": sum(v for k, v in errors.items() if k != "http_5xx"), "error_kinds": errors,
        "statuses_not_200": statuses,
        "bytes_per_response": statistics.fmean(sizes) if sizes else 0.0,
    }


def _ratio(a, b):
    return None if a is None or not b else a / b


def _fmt(value, digits=0, width=7) -> str:
    if value is None:
        return f"{'—':>{width}}"
    return f"{value:>{width},.{digits}f}"


def render(report: dict) -> str:
    mix, trivial = report["phases"]["mix"], report["phases"]["trivial"]
    base = trivial["total"]["p50_ms"]
    head = (f"{'request':<24} {'reqs':>6} {'req/s':>7} {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}"
            f" {'err':>4} {'5xx':>4} {'t/o':>4} {'conn':>4} {'KB/resp':>8} {'p50÷triv':>8} {'srv p50':>7}"
            f" {'srv p95':>7}")
    meta = report["meta"]
    lines = [
        f"loadbench at {meta['commit']}, --size {meta['size']}: {meta['members']} members, {meta['past_plenaries']} "
        f"past plenaries ({meta['marks']} marks); {meta['users']} users, think {meta['think']:g} s, "
        f"{meta['workers']} gunicorn workers; load average at the start {meta['loadavg_at_start']}",
        head, "-" * len(head)]

    def row(label, s):
        lines.append(
            f"{label:<24} {s['requests']:>6} {_fmt(s['req_per_s'], 1)} {_fmt(s['p50_ms'])} {_fmt(s['p95_ms'])}"
            f" {_fmt(s['p99_ms'])} {_fmt(s['max_ms'])} {s['error_kinds']['http']:>4} {s['error_kinds']['http_5xx']:>4}"
            f" {s['error_kinds']['timeout']:>4} {s['error_kinds']['connection']:>4}"
            f" {_fmt(s['bytes_per_response'] / 1024, 1, 8)} {_fmt(_ratio(s['p50_ms'], base), 1, 8)}"
            f" {_fmt(s.get('server_p50_ms'))} {_fmt(s.get('server_p95_ms'))}")

    for kind in mix["kinds"]:
        row(LABELS[kind], mix["kinds"][kind])
    row("mix, all requests", mix["total"])
    lines.append("-" * len(head))
    row("/healthz alone", trivial["total"])
    ratios = report["ratios"]
    lines.append("")
    lines.append(f"mix: {mix['seconds']:.1f} s, /healthz alone: {trivial['seconds']:.1f} s (times in ms, at the "
                 f"client: queueing included; srv = in the gunicorn worker; err = any status but 200, 5xx among "
                 f"them; t/o = timeouts; conn = connection errors)")
    busy = mix["total"].get("server_busy")
    if busy is not None:
        lines.append(f"gunicorn workers busy during the mix: {busy:.0%} of their time")
    lines.append(f"mix req/s ÷ /healthz-alone req/s: {_fmt(ratios['mix_req_per_s_vs_trivial'], 3, 0)};  "
                 f"p50 ÷ the in-mix /healthz p50: " + ", ".join(
                     f"{kind} {_fmt(value, 1, 0)}" for kind, value in ratios["p50_vs_mix_healthz"].items()))
    statuses = {k: v["statuses_not_200"] for k, v in mix["kinds"].items() if v["statuses_not_200"]}
    if trivial["total"]["statuses_not_200"]:
        statuses["healthz alone"] = trivial["total"]["statuses_not_200"]
    if statuses:
        lines.append(f"statuses other than 200: {json.dumps(statuses)}")
    cpu = report.get("cpu")
    if cpu:
        for phase, values in cpu.items():
            lines.append(f"CPU seconds during {phase} ({values['seconds']:.0f} s wall, {report['meta']['cores']} "
                         f"cores): " + ", ".join(f"{k} {v:.1f}" for k, v in values.items() if k != "seconds"))
            others, machine = values.get("other processes"), values.get("machine")
            if others is not None and machine and others > 0.1 * machine:
                lines.append(f"  WARNING: other processes took {others / machine:.0%} of the machine's busy CPU during "
                             f"{phase}: these figures are not comparable with a run on a quiet machine")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------------------------
# CPU accounting (Linux /proc): the machine, the service process groups, the load generator itself
# --------------------------------------------------------------------------------------------------------------

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _machine_busy() -> float | None:
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return None
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / _TICKS


def _processes():
    """(pid, ppid, pgrp, comm, own CPU seconds, reaped children's CPU seconds) of every process we can read."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        comm = stat[stat.index("(") + 1:stat.rindex(")")]
        rest = stat[stat.rindex(")") + 2:].split()  # state ppid pgrp session tty tpgid flags minflt ... utime
        yield (int(entry.name), int(rest[1]), int(rest[2]), comm, (int(rest[11]) + int(rest[12])) / _TICKS,
               (int(rest[13]) + int(rest[14])) / _TICKS)


def _group_cpu(pgids: dict[str, int]) -> dict[str, float]:
    """CPU seconds of the service process groups, of PostgreSQL (the postmaster's reaped backends included: with
    DB_CONN_MAX_AGE=0 each request's backend exits) and of Redis."""
    totals = {**dict.fromkeys(pgids, 0.0), "postgresql": 0.0, "redis": 0.0}
    by_pgid = {v: k for k, v in pgids.items()}
    processes = list(_processes())
    comms = {pid: comm for pid, _ppid, _pgrp, comm, _own, _reaped in processes}
    for _pid, ppid, pgrp, comm, own, reaped in processes:
        name = by_pgid.get(pgrp)
        if name:
            totals[name] += own
        elif comm == "postgres":
            totals["postgresql"] += own + (reaped if comms.get(ppid) != "postgres" else 0.0)
        elif comm == "redis-server":
            totals["redis"] += own
    return totals


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class CpuMeter:
    def __init__(self, pgids: dict[str, int]):
        self.pgids = pgids

    def snapshot(self) -> dict:
        return {"machine": _machine_busy(), "groups": _group_cpu(self.pgids), "loadbench": _own_cpu(),
                "at": time.perf_counter()}

    def delta(self, before: dict, after: dict) -> dict:
        out = {"seconds": after["at"] - before["at"]}
        for name in after["groups"]:
            out[name] = after["groups"][name] - before["groups"][name]
        out["loadbench"] = after["loadbench"] - before["loadbench"]
        if before["machine"] is not None and after["machine"] is not None:
            machine = after["machine"] - before["machine"]
            out["other processes"] = machine - sum(v for k, v in out.items() if k != "seconds")
            out["machine"] = machine
        return out


# --------------------------------------------------------------------------------------------------------------
# The run: database, layout, seed, log in, phases, report, clean-up
# --------------------------------------------------------------------------------------------------------------


class Abort(Exception):
    pass


def _say(message: str) -> None:
    print(f"[loadbench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _pg_admin(url: str):
    import psycopg

    parts = urllib.parse.urlsplit(url)
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    return psycopg.connect(admin, autocommit=True, connect_timeout=10)


def _database_name(url: str) -> str:
    name = urllib.parse.unquote(urllib.parse.urlsplit(url).path.lstrip("/"))
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise Abort(f"database name {name!r}: use lower-case letters, digits and _")
    return name


def create_database(url: str) -> None:
    name = _database_name(url)
    with _pg_admin(url) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists:
            if not name.startswith(SCRATCH_PREFIX):
                raise Abort(f"database {name} exists and is not a scratch database ({SCRATCH_PREFIX}*): refusing")
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    name = _database_name(url)
    with _pg_admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def flush_redis(url: str) -> None:
    parts = urllib.parse.urlsplit(url)
    db = int(parts.path.lstrip("/") or 0)
    with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=3) as conn:
        conn.sendall(f"SELECT {db}\r\nFLUSHDB\r\n".encode())
        conn.recv(100)


def _redis_answers(url: str) -> bool:
    parts = urllib.parse.urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=2) as conn:
            conn.sendall(b"PING\r\n")
            return conn.recv(20).startswith(b"+PONG")
    except OSError:
        return False


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def _port_free(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as gunicorn: the last run's TIME_WAITs
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def _git(*args: str) -> str:
    done = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,  # noqa: S603, S607 - git
                          timeout=60)
    if done.returncode != 0:
        raise Abort(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout.strip()


def _git_commit() -> str:
    """The working tree's commit, and whether it has uncommitted changes (they are measured too)."""
    try:
        head = _git("rev-parse", "--short", "HEAD")
        dirty = _git("status", "--porcelain", "--untracked-files=no")
    except (Abort, OSError, subprocess.SubprocessError):
        return "unknown"
    return f"{head}{' (+ uncommitted changes)' if dirty else ''}"


def _export_commit(revision: str, into: Path) -> str:
    """The files of commit ``revision`` (git archive: nothing uncommitted) in ``into``; its short hash."""
    commit = _git("rev-parse", "--short", "--verify", f"{revision}^{{commit}}")
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", "--format=tar", commit], cwd=ROOT,  # noqa: S603, S607
                             capture_output=True, timeout=120, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True, timeout=120)  # noqa: S603, S607
    if not (into / "scripts" / "run-production-layout.sh").exists():
        raise Abort(f"commit {commit} has no scripts/run-production-layout.sh")
    return commit


class Layout:
    """scripts/run-production-layout.sh in a session of its own, its output in $DJANGO_VAR_DIR/prodlayout/."""

    def __init__(self, env: dict[str, str], log_path: Path, tree: Path):
        self.log_path = log_path
        self.log = open(log_path, "wb")  # noqa: SIM115 (closed in stop)
        self.proc = subprocess.Popen(["bash", "scripts/run-production-layout.sh"], cwd=tree, env=env,  # noqa: S607
                                     stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     start_new_session=True)
        self.pgids: dict[str, int] = {}

    def read_pgids(self) -> dict[str, int]:
        for name, pgid in re.findall(r"^\[(\w+)\] started, process group (\d+)$", self.text(), re.M):
            self.pgids[name] = int(pgid)
        return self.pgids

    def text(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def tail(self, lines=40) -> str:
        return "\n".join(self.text().splitlines()[-lines:])

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, timeout: float = 40) -> None:
        self.read_pgids()
        if self.alive():
            # The script's own group: its trap stops every service (each a process group of its own, children
            # included); a step still in its foreground (check, migrate, collectstatic) stops too.
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                _say("the layout did not stop in time: SIGKILL")
        # Whatever is left (the script killed, a service that ignored SIGTERM): SIGKILL its process group.
        for pgid in [self.proc.pid, *self.pgids.values()]:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(pgid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(5)
        self.log.close()


def _run_seed(env: dict[str, str], tree: Path, size: Size, sessions: int, users: int, password: str,
              timeout: float) -> dict:
    child = subprocess.Popen(  # noqa: S603 - this script itself, fixed arguments
        [sys.executable, str(Path(__file__).resolve()), "seed", "--tree", str(tree), "--students",
         str(size.students), "--sessions", str(sessions), "--users", str(users)],
        cwd=tree, env={**env, "LOADBENCH_PASSWORD": password}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, start_new_session=True)
    try:
        out, err = child.communicate(timeout=timeout)
    except BaseException:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
        child.wait()
        raise
    if child.returncode != 0:
        raise Abort(f"seeding failed ({child.returncode}):\n{err[-3000:]}")
    return json.loads(out.strip().splitlines()[-1])


def _wait_for(what: str, check, layout: Layout, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        if not layout.alive():
            raise Abort(f"the production layout exited while waiting for {what}:\n{layout.tail()}")
        time.sleep(0.2)
    raise Abort(f"no {what} within {seconds:.0f} s:\n{layout.tail()}")


def _healthz_ok(host: str, port: int) -> bool:
    try:
        response = asyncio.run(asyncio.wait_for(
            http(host, port, "GET", "/healthz", {"X-Forwarded-Proto": "https"}), 5))
    except (TimeoutError, ConnectionFailed):
        return False
    return response.status == 200


def _parse_mix(text: str) -> dict[str, float]:
    weights = dict.fromkeys(KINDS, 1.0)
    for part in filter(None, (p.strip() for p in text.split(","))):
        kind, _sep, weight = part.partition("=")
        if kind not in weights:
            raise argparse.ArgumentTypeError(f"unknown kind {kind!r}: one of {', '.join(KINDS)}")
        try:
            weights[kind] = float(weight)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{part!r}: KIND=WEIGHT") from None
        if weights[kind] < 0:
            raise argparse.ArgumentTypeError(f"{part!r}: a weight is >= 0")
    if not any(weights[k] > 0 for k in KINDS):
        raise argparse.ArgumentTypeError("every weight is 0")
    return weights


def arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="loadbench.py", description=__doc__.split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog="docs/benchmarks.md, \"Load benchmark\".")
    parser.add_argument("--size", choices=sorted(SIZES), default="full",
                        help="full: the alliance's 300 members, 100 past plenaries; small: 20 members, 5 plenaries")
    parser.add_argument("--users", type=int, help="logged-in users (default 50 full, 5 small)")
    parser.add_argument("--seconds", type=float, help="the mix's duration (default 60 full, 4 small)")
    parser.add_argument("--trivial-seconds", type=float, help="the /healthz-only phase (default 15 full, 2 small)")
    parser.add_argument("--warmup", type=float, help="seconds of the mix before measuring (default 5 full, 0 small)")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean think time in seconds between a user's clicks, exponential (default 0: a closed "
                             "loop with no pause)")
    parser.add_argument("--mix", type=_parse_mix, default=_parse_mix(""),
                        help="weights, e.g. attendance=1,scores=1,member=1,mark=1,healthz=1 (the default; kinds "
                             "not named keep weight 1)")
    parser.add_argument("--sessions", type=int, help="past plenaries in the term (default 100 full, 5 small)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (WEB_CONCURRENCY, default 4)")
    parser.add_argument("--celery-concurrency", type=int, default=2, help="the Celery worker's pool (default 2)")
    parser.add_argument("--bind", default="127.0.0.1:8031",
                        help="gunicorn's address, loopback only (default 127.0.0.1:8031; port 0: a free one)")
    parser.add_argument("--database-url",
                        help="the scratch database to create (default postgres://postgres@127.0.0.1:5432/"
                             "campus_loadbench_<size>); one named campus_loadbench* that exists is re-created, "
                             "any other that exists is refused")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13",
                        help="Redis for the broker (default redis://127.0.0.1:6379/13; flushed at the end)")
    parser.add_argument("--var-dir", help="DJANGO_VAR_DIR (default a new /tmp/campus-loadbench-* folder); the "
                                          "layout's output is in its prodlayout/layout.log")
    parser.add_argument("--env", action="append", default=[], metavar="KEY=VALUE",
                        help="an extra environment variable for the layout (e.g. DB_CONN_MAX_AGE=60); repeatable")
    parser.add_argument("--commit", metavar="REV",
                        help="measure this commit's code (its files exported with git archive into the var dir) "
                             "instead of the working tree with its uncommitted changes; e.g. before and after a change")
    parser.add_argument("--request-timeout", type=float, default=60.0, help="seconds (default 60)")
    parser.add_argument("--timeout", type=float,
                        help="hard limit of the whole run in seconds (default 300 + the phases' seconds)")
    parser.add_argument("--seed", type=int, default=11, help="random seed of the clicks (default 11)")
    parser.add_argument("--json", help="write the report to this file")
    parser.add_argument("--fail-on-error", action="store_true", help="exit 1 if any request failed")
    parser.add_argument("--keep", action="store_true", help="keep the database (and Redis's keys) at the end")
    args = parser.parse_args(argv)
    size = SIZES[args.size]
    for name in ("users", "seconds", "trivial_seconds", "warmup", "sessions"):
        if getattr(args, name) is None:
            setattr(args, name, getattr(size, name))
    if args.users < 1 or args.seconds <= 0 or args.trivial_seconds < 0 or args.warmup < 0 or args.think < 0:
        parser.error("--users must be >= 1, --seconds > 0, the others >= 0")
    if args.workers < 1 or args.sessions < 0:
        parser.error("--workers must be >= 1 and --sessions >= 0")
    host, _sep, port = args.bind.rpartition(":")
    if host != "127.0.0.1" or not port.isdigit():
        parser.error("--bind must be 127.0.0.1:PORT (the load benchmark listens on the loopback only)")
    args.host, args.port = host, int(port)
    if args.database_url is None:
        args.database_url = f"postgres://postgres@127.0.0.1:5432/{SCRATCH_PREFIX}_{args.size}"
    if not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("--database-url must be a postgres:// URL")
    if not args.redis_url.startswith("redis://"):
        parser.error("--redis-url must be a redis:// URL")
    if args.timeout is None:
        args.timeout = 300 + args.warmup + args.seconds + args.trivial_seconds + (120 if args.size == "full" else 0)
    for item in args.env:
        if "=" not in item:
            parser.error(f"--env {item!r}: KEY=VALUE")
    return args


def run(args: argparse.Namespace) -> int:
    if args.port == 0:
        args.port = _free_port(args.host)
    if not _port_free(args.host, args.port):
        raise Abort(f"{args.host}:{args.port} is in use: pass another --bind")
    if not _redis_answers(args.redis_url):
        raise Abort(f"Redis does not answer at {args.redis_url}")
    var_dir = Path(args.var_dir or tempfile.mkdtemp(prefix="campus-loadbench-"))
    (var_dir / "prodlayout").mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_", "WEB_"))}
    env.update({
        "DATABASE_URL": args.database_url, "REDIS_URL": args.redis_url, "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(60), "DJANGO_ALLOWED_HOSTS": args.host,
        "DJANGO_VAR_DIR": str(var_dir), "WEB_BIND": f"{args.host}:{args.port}", "WEB_CONCURRENCY": str(args.workers),
        "CELERY_CONCURRENCY": str(args.celery_concurrency), "STOP_TIMEOUT": "15",
        "GUNICORN_CMD_ARGS": f"{os.environ.get('GUNICORN_CMD_ARGS', '')} --access-logformat "
                             f"{shlex.quote(ACCESS_LOG_FORMAT)}".strip(),
        "VENV": str(Path(sys.executable).parent.parent),
    })
    env.update(item.split("=", 1) for item in args.env)
    if args.commit:
        tree = var_dir / "tree"
        commit = _export_commit(args.commit, tree)
        _say(f"measuring commit {commit} (its files in {tree}), not the working tree")
    else:
        tree, commit = ROOT, _git_commit()
    _say(f"commit {commit}; database {_database_name(args.database_url)}; var dir {var_dir}")
    wall = time.perf_counter()
    create_database(args.database_url)
    layout = None
    try:
        layout = Layout(env, var_dir / "prodlayout" / "layout.log", tree)
        _say("production layout: check --deploy, migrate, collectstatic, then gunicorn + Celery worker + beat")
        _wait_for("web service start (after migrate)", lambda: "web" in layout.read_pgids(), layout, 300)
        _say(f"migrated and started in {time.perf_counter() - wall:.1f} s; seeding --size {args.size}")
        password = secrets.token_urlsafe(16)
        started = time.perf_counter()
        seeded = _run_seed(env, tree, SIZES[args.size], args.sessions, args.users, password, timeout=600)
        _say(f"seeded in {time.perf_counter() - started:.1f} s: {len(seeded['people'])} members, "
             f"{seeded['sessions']} past plenaries, {seeded['marks']} marks")
        _wait_for("/healthz 200 from gunicorn", lambda: _healthz_ok(args.host, args.port), layout, 120)
        _wait_for("Celery worker and beat", lambda: {"worker", "beat"} <= set(layout.read_pgids()), layout, 60)
        report = asyncio.run(_load(args, seeded, password, layout, commit))
        report["meta"]["wall_seconds_before_report"] = time.perf_counter() - wall
        print(render(report), flush=True)
        if args.json:
            Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
        errors = report["phases"]["mix"]["total"]["errors"] + report["phases"]["trivial"]["total"]["errors"]
        if errors and "500" in json.dumps([p["total"]["statuses_not_200"] for p in report["phases"].values()]):
            _say(f"500s: see the tracebacks in {layout.log_path}")
        return 1 if errors and args.fail_on_error else 0
    finally:
        # Clean up whatever happens (bounded: the layout's stop takes at most ~1 min); a second Ctrl-C must not
        # leave the services running.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if layout is not None:
            _say("stopping the production layout")
            layout.stop()
            if layout.alive():
                _say("the layout script is still running")
        if args.keep:
            _say(f"kept: database {_database_name(args.database_url)}, Redis {args.redis_url}")
        else:
            with contextlib.suppress(Exception):
                drop_database(args.database_url)
            with contextlib.suppress(OSError):
                flush_redis(args.redis_url)
        if args.commit and not args.keep:
            shutil.rmtree(var_dir / "tree", ignore_errors=True)
        _say(f"done in {time.perf_counter() - wall:.1f} s; logs in {var_dir / 'prodlayout'}")


async def _load(args, seeded: dict, password: str, layout: Layout, commit: str) -> dict:
    loadavg = " ".join(Path("/proc/loadavg").read_text().split()[:3]) if Path("/proc/loadavg").exists() else "?"
    users = [Browser(args.host, args.port, name) for name in seeded["users"][:args.users]]
    took = await _log_in_all(users, password, parallel=max(2, args.workers))
    _say(f"{len(users)} users logged in through /login/ in {took:.1f} s")
    plan = Plan(seeded["meeting"], seeded["organisation"], seeded["term"], seeded["people"])
    kinds = [k for k in KINDS if args.mix[k] > 0]
    weights = [args.mix[k] for k in kinds]
    if args.warmup:
        _say(f"warm-up: {args.warmup:.0f} s of the mix (not counted)")
        for user in users:
            user.phase = "warmup"
        await _drive(users, plan, kinds, weights, args.warmup, args.think, args.request_timeout, args.seed + 1)
    meter = CpuMeter(layout.read_pgids())
    _say(f"mix: {len(users)} users, {args.seconds:.0f} s, think {args.think:g} s, weights "
         + ", ".join(f"{k}={w:g}" for k, w in zip(kinds, weights, strict=True)))
    for user in users:
        user.phase = "mix"
    before = meter.snapshot()
    samples, mix_seconds = await _drive(users, plan, kinds, weights, args.seconds, args.think,
                                        args.request_timeout, args.seed)
    middle = meter.snapshot()
    _say(f"/healthz alone: {len(users)} users, {args.trivial_seconds:.0f} s")
    for user in users:
        user.phase = "trivial"
    trivial, trivial_seconds = await _drive(users, plan, ["healthz"], [1.0], args.trivial_seconds or 0.001,
                                            args.think, args.request_timeout, args.seed + 2)
    after = meter.snapshot()
    by_kind = {k: stats([s for s in samples if s.kind == k], mix_seconds) for k in kinds}
    mix = {"seconds": mix_seconds, "kinds": by_kind, "total": stats(samples, mix_seconds)}
    alone = {"seconds": trivial_seconds, "total": stats(trivial, trivial_seconds)}
    answered = {"mix": sum(1 for s in samples if s.status is not None),
                "trivial": sum(1 for s in trivial if s.status is not None)}
    for _ in range(50):  # a worker writes its access-log line just after the answer's last byte
        served = server_times(layout.text())
        if all(sum(map(len, served.get(phase, {}).values())) >= n for phase, n in answered.items()):
            break
        await asyncio.sleep(0.1)
    for phase, figures, seconds in (("mix", mix, mix_seconds), ("trivial", alone, trivial_seconds)):
        for kind, kind_figures in figures.get("kinds", {}).items():
            kind_figures.update(server_stats(served.get(phase, {}).get(kind, []), seconds, args.workers))
        everything = [ms for kind_ms in served.get(phase, {}).values() for ms in kind_ms]
        figures["total"].update(server_stats(everything, seconds, args.workers))
    base = alone["total"]["p50_ms"]
    in_mix = by_kind.get("healthz", {}).get("p50_ms")
    return {
        "meta": {
            "commit": commit, "size": args.size, "users": len(users), "seconds": args.seconds,
            "trivial_seconds": args.trivial_seconds, "warmup": args.warmup, "think": args.think,
            "workers": args.workers, "celery_concurrency": args.celery_concurrency, "mix": args.mix,
            "members": len(seeded["people"]), "past_plenaries": seeded["sessions"], "marks": seeded["marks"],
            "cores": os.cpu_count(), "started": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "login_seconds": took, "env": args.env, "loadavg_at_start": loadavg,
        },
        "phases": {"mix": mix, "trivial": alone},
        "ratios": {
            "p50_vs_trivial": {k: _ratio(v["p50_ms"], base) for k, v in by_kind.items()},
            "p50_vs_mix_healthz": {k: _ratio(v["p50_ms"], in_mix) for k, v in by_kind.items() if k != "healthz"},
            "mix_req_per_s_vs_trivial": _ratio(mix["total"]["req_per_s"], alone["total"]["req_per_s"]),
        },
        "cpu": {"the mix": meter.delta(before, middle), "/healthz alone": meter.delta(middle, after)},
    }


def main(argv: list[str]) -> int:
    if argv[:1] == ["seed"]:  # the child step, with the layout's environment
        parser = argparse.ArgumentParser(prog="loadbench.py seed")
        parser.add_argument("--tree", type=Path, required=True)
        parser.add_argument("--students", type=int, required=True)
        parser.add_argument("--sessions", type=int, required=True)
        parser.add_argument("--users", type=int, required=True)
        options = parser.parse_args(argv[1:])
        result = seed(options.tree, options.students, options.sessions, options.users, os.environ["LOADBENCH_PASSWORD"])
        print(json.dumps(result))
        return 0
    args = arguments(argv)

    def stop(signum, _frame):
        for ignored in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM):
            signal.signal(ignored, signal.SIG_IGN)
        why = {signal.SIGINT: "Ctrl-C", signal.SIGTERM: "SIGTERM"}.get(signum, f"the run's --timeout "
                                                                               f"({args.timeout:.0f} s)")
        raise KeyboardInterrupt(why)

    signal.signal(signal.SIGINT, stop)  # also when started in the background (which inherits SIGINT ignored)
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGALRM, stop)
    signal.alarm(int(args.timeout))
    try:
        return run(args)
    except Abort as error:
        _say(f"failed: {error}")
        return 2
    except KeyboardInterrupt as why:
        _say(f"stopped: {why or 'Ctrl-C'}")
        return 130
    finally:
        signal.alarm(0)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
