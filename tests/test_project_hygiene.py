"""The definition of done that a test can hold: migrations committed, ruff clean, no UTC date of "now", no test
module importing another."""

import ast
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.django_db
def test_migrations_are_committed():
    out = StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exit_:
        pytest.fail(f"makemigrations --check found model changes without a migration:\n{out.getvalue()}\n{exit_}")


def test_ruff_is_clean():
    ruff = Path(sys.executable).with_name("ruff")
    result = subprocess.run([str(ruff), "check", "--quiet", "."], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr



def _python_files():
    skipped = {".venv", "node_modules", ".git", "var"}
    for path in sorted(ROOT.rglob("*.py")):
        if not skipped.intersection(path.relative_to(ROOT).parts):
            yield path


def _names_now(node) -> bool:
    """``now``, ``NOW``, ``self.now``, ``right_now`` … or a call of one: ``timezone.now()``, ``dt.datetime.now()``."""
    if isinstance(node, ast.Call):
        node = node.func
    name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
    return "now" in name.lower()


def utc_dates_of_now(source: str) -> list[int]:
    """Lines calling ``.date()`` on an aware "now": that is the UTC date, yesterday in Shanghai between 16:00 and
    24:00 UTC. The school's date of a moment is ``orgs.calendar.local_date(moment)``."""
    return [
        node.lineno for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "date"
        and not node.args and _names_now(node.func.value)
    ]


def test_no_date_of_an_aware_now():
    found = [f"{path.relative_to(ROOT)}:{line}" for path in _python_files()
             for line in utc_dates_of_now(path.read_text(encoding="utf-8"))]
    assert not found, "Use local_date(now) (orgs.calendar), not now.date() (the UTC date):\n" + "\n".join(found)


@pytest.mark.parametrize(("source", "flagged"), [
    ("on = now.date()", True), ("timezone.now().date()", True), ("NOW.date() + one_day", True),
    ("dt.datetime.now().date()", True), ("self.now.date()", True),
    ("local_date(now)", False), ("timezone.localtime(now).date()", False), ("timezone.localdate()", False),
    ("start.date()", False), ("'now.date()'", False),
])
def test_the_now_date_check_catches_what_it_should(source, flagged):
    assert bool(utc_dates_of_now(source)) is flagged


def imports_of_test_modules(source: str) -> list[int]:
    """Lines importing a ``test_*`` module (``from x.tests.test_y import …``, ``from x.tests import test_y``,
    ``import x.tests.test_y``): what tests share lives in a module that is not a test (tests/personas.py, an
    app's ``tests/conftest.py`` or a helper module next to its tests), so that each test module stands alone."""
    def is_test(dotted: str) -> bool:
        return any(part.startswith("test_") for part in dotted.split("."))

    def imports_one(node) -> bool:
        if isinstance(node, ast.Import):
            return any(is_test(alias.name) for alias in node.names)
        if isinstance(node, ast.ImportFrom):
            return is_test(node.module or "") or any(alias.name.startswith("test_") for alias in node.names)
        return False

    return [node.lineno for node in ast.walk(ast.parse(source)) if imports_one(node)]


def test_no_module_imports_a_test_module():
    found = [f"{path.relative_to(ROOT)}:{line}" for path in _python_files()
             for line in imports_of_test_modules(path.read_text(encoding="utf-8"))]
    assert not found, ("Move what tests share out of test_*.py: personas to tests/personas.py, fixtures to the "
                       "app's tests/conftest.py, helpers to a module next to the tests:\n" + "\n".join(found))


@pytest.mark.parametrize(("source", "flagged"), [
    ("from scoring.tests.test_services import _stored", True), ("from attendance.tests import test_views", True),
    ("import tests.test_browser", True), ("from .test_tasks import make_task", True),
    ("def f():\n    from members.tests.test_views import statuses", True),
    ("from tests.personas import statuses", False), ("from django.test import Client", False),
    ("from attendance.tests.task_world import make_task", False), ("import pytest", False),
])
def test_the_test_import_check_catches_what_it_should(source, flagged):
    assert bool(imports_of_test_modules(source)) is flagged
