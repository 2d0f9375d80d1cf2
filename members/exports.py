"""Spreadsheets out: each import's export in the same layout, and its template (headers + one example row).

Excel is written with openpyxl in write-only mode (constant memory, streamed row by row). A text cell that
begins like a formula (``=``, ``+``, ``-``, ``@``) is written as text, never as a formula: in .xlsx its
cell type is forced to string; in .csv it is prefixed with a single quote (OWASP's CSV-injection guard),
which the importer strips again, so an exported file imports back unchanged.
"""

import csv
import datetime as dt
import io
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from members.imports.cells import FORMULA_STARTS

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"


def _xlsx_cell(sheet, value, *, bold=False):
    if isinstance(value, dt.datetime):
        value = value.replace(tzinfo=None)
    cell = WriteOnlyCell(sheet, value=value)
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell.data_type = "s"  # text, not a formula
    if isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"
    if bold:
        cell.font = Font(bold=True)
    return cell


def write_xlsx(headers: list[str], rows: Iterable[tuple], *, title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append([_xlsx_cell(sheet, str(h), bold=True) for h in headers])
    for row in rows:
        sheet.append([_xlsx_cell(sheet, value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(headers: list[str], rows: Iterable[tuple]) -> bytes:
    """UTF-8 with a BOM, so Excel on a Chinese Windows opens it without garbling the Chinese."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([str(h) for h in headers])
    for row in rows:
        writer.writerow([_csv_value(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def layout_file(layout, rows: Iterable[tuple], file_format: str) -> tuple[bytes, str]:
    headers = [str(column.header) for column in layout.columns]
    if file_format == "csv":
        return write_csv(headers, rows), CSV_TYPE
    return write_xlsx(headers, rows, title=str(layout.label)), XLSX_TYPE


def layout_export(layout, tenant, file_format: str = "xlsx") -> tuple[bytes, str]:
    """The school's rows of this kind, in the layout of its import."""
    return layout_file(layout, layout.export_rows(tenant), file_format)


def layout_template(layout, file_format: str = "xlsx") -> tuple[bytes, str]:
    """The headers and one example row."""
    return layout_file(layout, [tuple(column.example for column in layout.columns)], file_format)
