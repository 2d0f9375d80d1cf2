"""Planning (the dry run) and applying an import. Layout-independent.

A plan reads every row once against lookups preloaded in a few queries, and sorts the rows into new,
changed and unchanged, or errors that name the spreadsheet row and the column. A plan with any error is
never applied; applying writes everything in one transaction with bulk operations, so an import is all
or nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from members.imports.cells import CellError, is_blank
from members.imports.reader import ImportFileError, Table

#: How often (rows) a plan reports its progress.
PROGRESS_EVERY = 1000
#: How many row errors a plan keeps in full (the count is always exact).
MAX_ERRORS_KEPT = 500


@dataclass(frozen=True)
class Column:
    key: str
    header: str  # the Chinese header, as exported
    aliases: tuple[str, ...] = ()  # other headers accepted (English)
    required: bool = False  # the column must be there and its cells filled
    example: object = ""  # the value of the template's example row

    def names(self) -> set[str]:
        return {_norm(self.header), _norm(self.key), *(_norm(a) for a in self.aliases)}


def _norm(header: str) -> str:
    return "".join(str(header).split()).lower().rstrip("*：:")


@dataclass(frozen=True)
class RowError:
    row: int  # spreadsheet row number (the header is row 1)
    column: str  # the column's header, or "" for the whole row
    message: str

    def as_dict(self):
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Plan:
    total: int = 0
    new: list = field(default_factory=list)  # values dicts
    changed: list = field(default_factory=list)  # (pk, values, changed field names)
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0
    present: frozenset = frozenset()  # the column keys the file has
    samples: list = field(default_factory=list)  # a few changes to show: (row, key, {field: (old, new)})

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def add_error(self, row: int, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(RowError(row, column, message))

    def counts(self) -> dict:
        return {"total": self.total, "new": len(self.new), "changed": len(self.changed),
                "unchanged": self.unchanged, "errors": self.error_count}


def map_columns(layout, headers: list[str]) -> dict[str, int]:
    """Which file column holds each layout column; refuses a missing required column or a doubled one."""
    wanted = {name: column for column in layout.columns for name in column.names()}
    found: dict[str, int] = {}
    for index, header in enumerate(headers):
        column = wanted.get(_norm(header))
        if column is None:
            continue
        if column.key in found:
            raise ImportFileError(_("表头“%(header)s”出现了两次。") % {"header": str(column.header)})
        found[column.key] = index
    missing = [str(c.header) for c in layout.columns if c.required and c.key not in found]
    if missing:
        raise ImportFileError(_("缺少必填列：%(columns)s。请使用下载的模板。") % {"columns": "、".join(missing)})
    return found


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return _("第 %(letter)s 列") % {"letter": letters}


def plan_import(layout, tenant, table: Table, *, progress: Callable[[int, int], None] | None = None) -> Plan:
    """The dry run: what importing ``table`` would do to ``tenant``'s rows. Writes nothing."""
    columns = map_columns(layout, table.headers)
    plan = Plan(total=len(table.rows), present=frozenset(columns))
    headers = {c.key: str(c.header) for c in layout.columns}
    context = layout.prepare(tenant, present=plan.present)
    for row, index, message in table.problems:  # cells no layout may take (a NUL byte), wherever they are
        plan.add_error(row, table.headers[index] or _column_letter(index), message)
    first_row_of: dict = {}
    items = list(columns.items())
    for offset, raw in enumerate(table.rows):
        row = offset + 2
        if progress and offset and offset % PROGRESS_EVERY == 0:
            progress(offset, plan.total)
        if all(is_blank(v) for v in raw):
            plan.unchanged += 1  # a blank line inside the data changes nothing
            continue
        cells = {key: raw[index] for key, index in items}
        errors: list[tuple[str, str]] = []

        def fail(key, message, errors=errors):
            errors.append((key, message))

        for column in layout.columns:
            if column.required and is_blank(cells.get(column.key)):
                fail(column.key, _("必填，不能为空"))
        values = None
        if not errors:
            try:
                values = layout.clean_row(cells, context, fail)
            except CellError as error:  # a layout may raise for its key column
                fail(layout.key_column, str(error))
        if errors or values is None:
            for key, message in errors:
                plan.add_error(row, headers.get(key, ""), message)
            continue
        natural_key = layout.key_of(values)
        if natural_key in first_row_of:
            duplicate = _("与第 %(row)s 行重复") % {"row": first_row_of[natural_key]}
            plan.add_error(row, headers[layout.duplicate_column(values)], duplicate)
            continue
        first_row_of[natural_key] = row
        values["_row"] = row
        existing = context.existing.get(natural_key)
        if existing is None:
            plan.new.append(values)
            continue
        differences = layout.differences(existing, values, plan.present)
        if differences:
            plan.changed.append((existing.pk, values, tuple(differences)))
            if len(plan.samples) < 20:
                plan.samples.append((row, layout.describe_key(values), differences))
        else:
            plan.unchanged += 1
    if plan.ok:
        layout.check_plan(plan, context, lambda row, key, message: plan.add_error(row, headers[key], message))
    if progress:
        progress(plan.total, plan.total)
    return plan


def apply_plan(layout, tenant, plan: Plan) -> dict:
    """Write a clean plan, all or nothing. Returns the counts written."""
    if not plan.ok:
        raise ValueError("a plan with errors is never applied")
    with transaction.atomic():
        layout.write(tenant, plan)
    return plan.counts()
