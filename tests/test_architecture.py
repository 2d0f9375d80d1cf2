"""The direction of dependencies (docs/architecture.md, "The apps and their dependencies"), as import-linter
contracts in pyproject.toml ([tool.importlinter]), checked on every test run — and shown to fail when an app
imports one above it."""

from pathlib import Path

import pytest
from importlinter import cli
from importlinter.application.app_config import settings

CONFIG = str(Path(__file__).resolve().parent.parent / "pyproject.toml")


class _WithExtraImport:
    """Builds the real import graph, then adds one import that is not in the code."""

    def __init__(self, builder, importer: str, imported: str):
        self.builder, self.importer, self.imported = builder, importer, imported

    def build(self, **kwargs):
        graph = self.builder.build(**kwargs)
        graph.add_import(importer=self.importer, imported=self.imported, line_number=1, line_contents="(a test)")
        return graph


def _lint(capsys, extra: tuple[str, str] | None = None) -> tuple[int, str]:
    """(lint-imports' exit code, its report)."""
    capsys.readouterr()
    cli.lint_imports(config_filename=CONFIG, no_cache=True, no_logo=True)  # configures the default adapters
    if extra:
        real = settings.GRAPH_BUILDER
        settings.configure(GRAPH_BUILDER=_WithExtraImport(real, *extra))
        try:
            code = cli.lint_imports(config_filename=CONFIG, no_cache=True, no_logo=True)
        finally:
            settings.configure(GRAPH_BUILDER=real)
    else:
        code = cli.lint_imports(config_filename=CONFIG, no_cache=True, no_logo=True)
    return code, capsys.readouterr().out


def test_every_contract_is_kept(capsys):
    code, report = _lint(capsys)
    assert code == 0, report
    assert "BROKEN" not in report and "0 broken" in report


@pytest.mark.parametrize(("importer", "imported"), [
    ("orgs.models", "members.models"),  # the ground floor reaching up
    ("members.selectors", "attendance.selectors"),
    ("attendance.services.meetings", "scoring.services"),  # attendance tells scoring by signal, never by import
    ("scoring.models", "config.urls"),
])
def test_an_import_against_the_direction_breaks_the_contract(capsys, importer, imported):
    code, report = _lint(capsys, extra=(importer, imported))
    assert code == 1
    assert "BROKEN" in report and f"{importer} -> {imported}" in report
