"""Spreadsheets out: each import's export in the same layout, and its template (headers + one example row).

Excel is written with openpyxl in write-only mode (constant memory, streamed row by row). A text cell that
begins like a formula (``=``, ``+``, ``-``, ``@``) is written as text, never as a formula: in .xlsx its
cell type is forced to string; in .csv it is prefixed with a single quote (OWASP's CSV-injection guard),
which the importer strips again, so an exported file imports back unchanged.
"""

import csv
import datetime as dt
import io
import unicodedata
from collections.abc import Iterable

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

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


# --- printable spreadsheets (a title, widths, borders, frozen header, A4 print setup) ---

_THIN = Side(style="thin", color="555555")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEADER_FILL = PatternFill("solid", fgColor="E3E8EE")


def display_width(value) -> int:
    """The width of a value in Excel's character units: a CJK (wide) character counts two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(value if value is not None else ""))


def write_printable_xlsx(headers: list[str], rows: Iterable[tuple], *, title: str, sheet_title: str,
                         widths: list[float], note: str = "", below: Iterable[str] = (), freeze_columns: int = 0,
                         landscape: bool = True) -> bytes:
    """A spreadsheet meant to be printed: the title (merged across the table, bold) and a note row above a
    bordered, shaded header; ``widths`` per column; the header (and the first ``freeze_columns`` columns)
    frozen; A4 (landscape by default) fitted to the page's width, with the title and header repeated on every
    printed page and the page number in the footer; ``below`` the table, lines such as signatures. Write-only
    and streamed like ``write_xlsx``; a text cell that looks like a formula stays text."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=sheet_title[:31])
    last = get_column_letter(len(headers))
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = f"{get_column_letter(freeze_columns + 1)}4"
    sheet.print_title_rows = "1:3"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.orientation = "landscape" if landscape else "portrait"
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.page_margins.top, sheet.page_margins.bottom = 0.5, 0.6
    sheet.oddFooter.center.text = "&P / &N"
    sheet.merged_cells.add(f"A1:{last}1")
    sheet.merged_cells.add(f"A2:{last}2")
    sheet.row_dimensions[1].height = 26
    heading = _xlsx_cell(sheet, title)
    heading.font, heading.alignment = Font(bold=True, size=14), Alignment(horizontal="center", vertical="center")
    sheet.append([heading])
    subtitle = _xlsx_cell(sheet, note)
    subtitle.font, subtitle.alignment = Font(size=9, color="444444"), Alignment(horizontal="center")
    sheet.append([subtitle])
    header_cells = []
    for header in headers:
        cell = _xlsx_cell(sheet, str(header), bold=True)
        cell.border, cell.fill = _BORDER, _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header_cells.append(cell)
    sheet.append(header_cells)
    centre = Alignment(horizontal="center", vertical="center")
    left = Alignment(horizontal="left", vertical="center")
    count = 3
    for row in rows:
        cells = []
        for value in row:
            cell = _xlsx_cell(sheet, value)
            cell.border = _BORDER
            cell.alignment = centre if isinstance(value, int | float) else left
            cells.append(cell)
        sheet.append(cells)
        count += 1
    for line in below:
        sheet.append([])
        count += 2
        sheet.merged_cells.add(f"A{count}:{last}{count}")
        sheet.append([_xlsx_cell(sheet, line)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
