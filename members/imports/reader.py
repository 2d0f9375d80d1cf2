"""Reading an uploaded spreadsheet: .xlsx (first sheet, formula cells as their values) or .csv.

django-import-export's XLSX reader is not used: it appends openpyxl's rows to a tablib Dataset, and openpyxl
leaves out a row's empty trailing cells (as Excel writes them), so any row whose last optional column is
blank raised tablib's InvalidDimensions. Its CSV reader decodes only one encoding; Excel on a Chinese
Windows saves CSV in GB18030.
"""

import csv
import zipfile
from dataclasses import dataclass
from io import BytesIO, StringIO

import openpyxl
from django.utils.translation import gettext as _

#: CSV files saved by Excel on a Chinese Windows are GB18030 ("ANSI"); others are UTF-8 (with or without BOM).
CSV_ENCODINGS = ("utf-8-sig", "gb18030")
#: How often (rows) reading reports its progress.
PROGRESS_EVERY = 1000


class ImportFileError(Exception):
    """A file that cannot be imported at all; the message is for the user (Chinese)."""


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple]  # values as read; row i of the list is spreadsheet row i + 2
    file_format: str  # "xlsx" or "csv"


@dataclass
class _Lines:
    headers: list
    rows: list

    def __iter__(self):
        return iter(self.rows)


def _read_xlsx(content: bytes, progress=None) -> _Lines:
    """The first sheet, read-only and streamed; formula cells give the value Excel saved with them.

    Reading is most of an import's time (openpyxl parses the XML), so it reports its progress: rows read
    out of the sheet's recorded dimension (``max_row``; when a writer left it out, the total is reported
    as unknown, 0, until the end)."""
    workbook = openpyxl.load_workbook(BytesIO(content), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        expected = max((sheet.max_row or 1) - 1, 0)  # 0: unknown (a write-only openpyxl file records none)
        rows = sheet.iter_rows(values_only=True)
        headers = list(next(rows, ()))
        data = []
        for row in rows:
            data.append(list(row))
            if progress and len(data) % PROGRESS_EVERY == 0:
                progress(len(data), expected if expected >= len(data) else 0)
        return _Lines(headers=headers, rows=data)
    finally:
        workbook.close()


def _is_xlsx(content: bytes) -> bool:
    if not content.startswith(b"PK\x03\x04"):
        return False
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def _decode_csv(content: bytes) -> str:
    if b"\x00" in content[:4096]:
        raise ImportFileError(_("无法识别文件格式：请上传 .xlsx 或 .csv 文件。"))
    for encoding in CSV_ENCODINGS:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(_("无法识别文件编码：请另存为 UTF-8 或 GB18030 编码的 CSV，或直接上传 .xlsx。"))


def _clean_header(value) -> str:
    return "" if value is None else str(value).strip().lstrip("\ufeff")


def read_table(content: bytes, filename: str = "", progress=None) -> Table:
    """The header row and the data rows of an uploaded file; refuses what is not a spreadsheet.

    ``progress(done, total)`` is called as rows are read, and once at the end with the final count."""
    if not content or not content.strip():
        raise ImportFileError(_("文件是空的。"))
    name = filename.lower()
    if _is_xlsx(content):
        try:
            dataset = _read_xlsx(content, progress)
        except Exception:  # openpyxl raises many kinds on a damaged workbook
            raise ImportFileError(_("无法读取这个 Excel 文件：文件可能已损坏。")) from None
        file_format = "xlsx"
    elif content.startswith(b"PK\x03\x04") or name.endswith(
        (".xls", ".xlsm", ".ods", ".numbers", ".pdf", ".doc", ".docx", ".zip")
    ):
        raise ImportFileError(_("不支持这种文件：请上传 .xlsx 或 .csv 文件（旧版 .xls 请先另存为 .xlsx）。"))
    else:
        text = _decode_csv(content)
        try:
            lines = list(csv.reader(StringIO(text, newline="")))
        except csv.Error:
            raise ImportFileError(_("无法识别文件格式：请上传 .xlsx 或 .csv 文件。")) from None
        if not lines:
            raise ImportFileError(_("文件是空的。"))
        dataset = _Lines(headers=lines[0], rows=[[v if v != "" else None for v in line] for line in lines[1:]])
        file_format = "csv"
    headers = [_clean_header(h) for h in (dataset.headers or [])]
    while headers and headers[-1] == "":
        headers.pop()
    if not any(headers):
        raise ImportFileError(_("文件是空的：第一行应当是表头。"))
    width = len(headers)
    rows = []
    for raw in dataset:
        row = tuple(raw[:width]) + (None,) * (width - len(raw))
        rows.append(row)
    while rows and all(v is None or (isinstance(v, str) and not v.strip()) for v in rows[-1]):
        rows.pop()  # trailing blank lines
    if not rows:
        raise ImportFileError(_("文件只有表头，没有数据行。"))
    if progress:
        progress(len(rows), len(rows))
    return Table(headers=headers, rows=rows, file_format=file_format)
