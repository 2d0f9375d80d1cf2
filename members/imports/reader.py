"""Reading an uploaded spreadsheet: .xlsx (first sheet, formula cells as their values) or .csv.

Why not django-import-export's readers (the dependency was dropped, docs/imports.md): its XLSX reader appends
openpyxl's rows to a tablib Dataset, and openpyxl leaves out a row's empty trailing cells (as Excel writes
them), so any row whose last optional column is blank raised tablib's InvalidDimensions. Its CSV reader decodes
only one encoding; Excel on a Chinese Windows saves CSV in GB18030.

Hostile files. Nothing a file *declares* about itself is trusted (docs/imports.md, "Limits"):

* an .xlsx sheet's ``<dimension ref="A1:XFD1048576">`` is ignored (openpyxl's read-only reader pads every
  row to the declared width and every gap to the declared height: 4.8 KB of file became 2.7 GB); rows are
  read only as wide as the header, and blank rows are not stored until data follows them;
* the header may be at most ``max_columns`` wide and the data at most ``max_rows`` rows: a row with data
  beyond that is refused as soon as it is met, before the rest of the file is read;
* the uncompressed size of the workbook's parts is checked before openpyxl opens it (a zip bomb, or a
  shared-strings table openpyxl would load whole into memory);
* a CSV's encoding is not guessed silently: GB18030 decodes almost any bytes (Big5 and Shift-JIS files
  too, into plausible-looking garbage), so a decoding that does not look like Chinese text is refused
  with a request to choose the encoding (``encoding_report``);
* control characters (NUL above all: PostgreSQL refuses it) are found anywhere in a CSV and reported by
  row and column in the dry run.
"""

import csv
import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from io import BytesIO, StringIO

import openpyxl
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

#: How often (rows) reading reports its progress.
PROGRESS_EVERY = 1000
#: Limits when the caller gives none (the services pass the layout's width and the school's row policy).
DEFAULT_MAX_ROWS = 100_000
DEFAULT_MAX_COLUMNS = 60
#: Columns a file may have beyond its layout's: a registrar's export often carries more than is imported.
COLUMN_MARGIN = 40
#: The uncompressed size an .xlsx may have: this much per allowed data row, and never less than the floor.
#: A real roster takes about 0.3 KB per row of sheet XML and shared strings together (30,000 students ≈ 9 MB).
XLSX_BYTES_PER_ROW = 2048
XLSX_BYTES_FLOOR = 32 * 1024 * 1024

#: The CSV encodings a user may choose: key → Python codec. Big5 and Shift-JIS are the Windows code pages
#: (cp950, cp932), which is what Excel on a Traditional-Chinese or Japanese Windows writes.
CODECS = {"utf-8": "utf-8-sig", "gb18030": "gb18030", "big5": "cp950", "shift_jis": "cp932"}
ENCODING_LABELS = {
    "utf-8": gettext_lazy("UTF-8"),
    "gb18030": gettext_lazy("GB18030 / GBK（简体中文 Windows 的 Excel）"),
    "big5": gettext_lazy("Big5（繁体中文）"),
    "shift_jis": gettext_lazy("Shift-JIS（日文）"),
}

#: Control characters a cell must not hold (tab, line feed and carriage return are allowed in a quoted CSV cell).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ImportFileError(Exception):
    """A file that cannot be imported at all; the message is for the user (Chinese)."""


class EncodingUnsure(ImportFileError):
    """A CSV whose encoding cannot be told: the user is asked to choose it."""


@dataclass
class Table:
    headers: list[str]
    rows: list[tuple]  # values as read; row i of the list is spreadsheet row i + 2
    file_format: str  # "xlsx" or "csv"
    encoding: str = ""  # a CSV's encoding (a key of CODECS)
    problems: list = field(default_factory=list)  # (row, column index, message): cells no layout may import


# --- .xlsx ---


def _xlsx_size_check(content: bytes, max_rows: int) -> None:
    """Refuse a workbook whose parts would unpack beyond what ``max_rows`` rows can need, before openpyxl opens
    it (zipfile never unpacks more than a member declares: a lie fails its CRC check)."""
    limit = max(XLSX_BYTES_FLOOR, max_rows * XLSX_BYTES_PER_ROW)
    with zipfile.ZipFile(BytesIO(content)) as archive:
        unpacked = sum(info.file_size for info in archive.infolist())
    if unpacked > limit:
        raise ImportFileError(_(
            "这个 Excel 文件解压后有 %(size)s MB，超出了导入的上限（%(limit)s MB）。请只保留要导入的工作表和列，"
            "或分成几个文件导入。") % {"size": unpacked // 2**20, "limit": limit // 2**20})


def _read_xlsx(content: bytes, *, max_rows: int, max_columns: int, progress=None) -> tuple[list, list, list]:
    """The first sheet, read-only and streamed; formula cells give the value Excel saved with them.

    The sheet's declared dimension is dropped (``reset_dimensions``): the header row is read as wide as its
    cells go, and the data rows only as wide as the header (``max_col``), so a stray cell in column XFD costs
    nothing. Reading is most of an import's time (openpyxl parses the XML), so it reports its progress: rows
    read out of the rows the sheet declares (capped at ``max_rows``; 0, unknown, when it declares none)."""
    _xlsx_size_check(content, max_rows)
    workbook = openpyxl.load_workbook(BytesIO(content), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        declared = max((sheet.max_row or 1) - 1, 0)
        sheet.reset_dimensions()
        headers = _header(next(sheet.iter_rows(min_row=1, max_row=1, values_only=True), ()), max_columns)
        if not headers:
            return [], [], []
        lines = sheet.iter_rows(min_row=2, max_col=len(headers), values_only=True)
        rows = _data_rows(lines, width=len(headers), max_rows=max_rows, progress=progress,
                          expected=min(declared, max_rows))
        return headers, rows, []
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


# --- rows, whatever the format ---


def _clean_header(value) -> str:
    return "" if value is None else str(value).strip().lstrip("\ufeff")


def _header(raw, max_columns: int) -> list[str]:
    headers = [_clean_header(h) for h in raw]
    while headers and headers[-1] == "":
        headers.pop()
    if len(headers) > max_columns:
        raise ImportFileError(_(
            "表头有 %(count)s 列，超过了这种导入的上限 %(max)s 列。请删去不需要导入的列后再上传。")
            % {"count": len(headers), "max": max_columns})
    return headers


def _data_rows(lines, *, width: int, max_rows: int, progress, expected: int = 0) -> list[tuple]:
    """The data rows, each exactly ``width`` values; row i of the result is spreadsheet row i + 2.

    A blank row costs nothing until data follows it (then it is stored as one shared tuple), so trailing
    blank rows, and the gap before a lone cell far down, allocate nothing. A row with data beyond
    ``max_rows`` is refused when it is met."""
    blank = (None,) * width
    rows: list[tuple] = []
    pending = 0  # blank rows read since the last row with data
    for raw in lines:
        if len(raw) != width:
            raw = tuple(raw[:width]) + (None,) * (width - len(raw))
        elif not isinstance(raw, tuple):
            raw = tuple(raw)
        if raw.count(None) == width:  # C-speed: the gap rows of a sparse sheet are all None
            pending += 1
        else:
            number = len(rows) + pending + 1
            if number > max_rows:
                raise ImportFileError(_(
                    "第 %(row)s 行还有数据：每个文件最多导入 %(max)s 行（本校的设置）。请分成几个文件导入。")
                    % {"row": number + 1, "max": max_rows})
            if pending:
                rows.extend([blank] * pending)
                pending = 0
            rows.append(raw)
        if progress and (len(rows) + pending) % PROGRESS_EVERY == 0 and pending == 0:
            progress(len(rows), expected if expected >= len(rows) else 0)
    while rows and all(v is None or (isinstance(v, str) and not v.strip()) for v in rows[-1]):
        rows.pop()  # trailing rows of blank text
    return rows


# --- .csv: encodings ---


def _common(char: str, codec: str) -> bool:
    """Whether ``char`` is a character of everyday Chinese text in ``codec``'s own repertoire: encoded, it
    falls in the code page's frequent area. GB2312 (punctuation, full-width forms, its 6,763 hanzi; not its
    kana, Greek, Cyrillic or box-drawing rows), Big5's symbols and level-1 characters (lead bytes A1–C6),
    Shift-JIS's symbols and level-1 kanji (lead bytes 81–98). For UTF-8 any of them."""
    if codec == "utf-8-sig":
        return any(_common(char, other) for other in ("gb18030", "cp950", "cp932"))
    try:
        encoded = char.encode("gb2312" if codec == "gb18030" else codec)
    except UnicodeEncodeError:
        return False
    if len(encoded) != 2:
        return False
    lead = encoded[0]
    if codec == "gb18030":
        return lead not in (0xA4, 0xA5, 0xA6, 0xA7, 0xA9)
    if codec == "cp950":
        return lead <= 0xC6
    return lead <= 0x98 and lead not in (0x82, 0x83, 0x84)  # cp932: not its kana, Greek and Cyrillic rows


#: What no roster holds and a wrong decoding yields: C1 controls, private use (GB18030 maps its user-defined
#: and unassigned codes there, Big5 text lands in them often), the replacement character, half-width katakana.
IMPLAUSIBLE = re.compile("[\x80-\x9f\ue000-\uf8ff\ufffd\uff61-\uff9f\U000f0000-\U0010ffff]")
#: The share of uncommon characters (``_common``) above which a decoding is taken for garbage (and more than
#: RARE_MINIMUM of them). A mainland roster in GB18030 has a few per cent (name characters outside GB2312 such
#: as 喆, 堃, 玥), a handful of such names alone about 20 %; Big5 names read as GB18030 about 70 % (and
#: private-use characters), Shift-JIS names nearly 100 %.
RARE_SHARE = 0.35
RARE_MINIMUM = 1
#: How much decoded text the share is measured on.
SAMPLE_CHARS = 500_000


def plausibility(text: str, codec: str) -> tuple[bool, float]:
    """Whether ``text`` reads as Chinese text decoded with ``codec``, and its share of uncommon characters."""
    if IMPLAUSIBLE.search(text):
        return False, 1.0
    counts = Counter(text[:SAMPLE_CHARS])
    total = rare = 0
    for char, count in counts.items():
        if char.isascii():
            continue
        total += count
        if not _common(char, codec):
            rare += count
    share = rare / total if total else 0.0
    return rare <= max(RARE_MINIMUM, RARE_SHARE * total), share


def encoding_report(content: bytes) -> list[dict]:
    """Each choosable encoding: whether the file decodes with it, looks plausible, and its first data lines as
    they would read (for the page that asks the user to choose). Most plausible first."""
    report = []
    for key, codec in CODECS.items():
        try:
            text = content.decode(codec)
        except UnicodeDecodeError:
            report.append({"encoding": key, "label": ENCODING_LABELS[key], "decodes": False, "plausible": False,
                           "preview": [], "share": 1.0})
            continue
        plausible, share = plausibility(text, codec)
        preview = [CONTROL.sub("�", line)[:80] for line in text.splitlines()[:4]]
        report.append({"encoding": key, "label": ENCODING_LABELS[key], "decodes": True, "plausible": plausible,
                       "preview": preview, "share": share})
    report.sort(key=lambda r: (not r["decodes"], not r["plausible"], r["share"]))
    return report


def encoding_choices(head: bytes) -> list[dict]:
    """``encoding_report`` of the start of an uploaded file, cut at its last whole line; [] for an .xlsx or a
    binary file (nothing to choose)."""
    if not head or head.startswith(b"PK\x03\x04") or _looks_binary(head):
        return []
    cut = head.rfind(b"\n")
    return encoding_report(head[:cut + 1] if cut > 0 else head)


_CONTROL_BYTES = re.compile(b"[\x00-\x08\x0e-\x1a\x1c-\x1f]")


def _looks_binary(content: bytes) -> bool:
    """Control bytes throughout the start (more than 1 in 100): a binary file or UTF-16 text, not a CSV. A
    stray NUL in a text file is not that: it is reported by row and column."""
    head = content[:4096]
    return len(_CONTROL_BYTES.findall(head)) * 100 > len(head)


def decode_csv(content: bytes, encoding: str = "") -> tuple[str, str]:
    """The text of a CSV and the encoding it was read with (a key of CODECS).

    ``encoding`` is the user's choice; without one: UTF-8 when the bytes are valid UTF-8 (with or without
    BOM), else GB18030 when what it reads looks like Chinese text, else ``EncodingUnsure``."""
    if _looks_binary(content):
        raise ImportFileError(_("无法识别文件格式：请上传 .xlsx 或 .csv 文件。"))
    if encoding:
        try:
            return content.decode(CODECS[encoding]), encoding
        except UnicodeDecodeError as error:
            line = content[:error.start].count(b"\n") + 1
            raise EncodingUnsure(_(
                "按 %(encoding)s 编码无法读取第 %(line)s 行：文件可能不是这种编码。请换一种编码重新检查。")
                % {"encoding": ENCODING_LABELS[encoding], "line": line}) from None
    try:
        return content.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        text = content.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and plausibility(text, "gb18030")[0]:
        return text, "gb18030"
    raise EncodingUnsure(_(
        "无法确定这个 CSV 文件的编码：按简体中文（GB18030）读出来像乱码。请在下面选择文件的编码后重新检查，"
        "或在 Excel 中另存为“CSV UTF-8”后重新上传。"))


def _read_csv(content: bytes, *, encoding: str, max_rows: int, max_columns: int, progress=None):
    text, used = decode_csv(content, encoding)
    lines = csv.reader(StringIO(text, newline=""))
    try:
        raw_header = next(lines, [])
        headers = _header(raw_header, max_columns)
        if not headers:
            return [], [], [], used
        width = len(headers)
        problems = []
        if CONTROL.search(text):  # rare: only then look at every cell
            for index, value in enumerate(raw_header[:width]):
                if CONTROL.search(value):
                    raise ImportFileError(_("表头第 %(column)s 列%(problem)s") % {
                        "column": index + 1, "problem": _control_message(value)})
            problems = []
            lines = _controls_found(lines, width, problems)
        rows = _data_rows(([v if v != "" else None for v in line] for line in lines), width=width,
                          max_rows=max_rows, progress=progress)
    except csv.Error:
        raise ImportFileError(_("无法识别文件格式：请上传 .xlsx 或 .csv 文件。")) from None
    return headers, rows, problems, used


def _controls_found(lines, width, problems):
    """Pass the lines through, noting (row, column index, cell) of each cell holding a control character."""
    for number, line in enumerate(lines, start=2):
        for index, value in enumerate(line[:width]):
            if CONTROL.search(value):
                problems.append((number, index, value))
        yield line


def _control_message(value: str) -> str:
    found = CONTROL.search(value).group()
    name = "NUL" if found == "\x00" else f"U+{ord(found):04X}"
    return _("含有不可见的控制字符（%(name)s），文件可能已损坏或编码不对：请检查这一格。") % {"name": name}


def read_table(content: bytes, filename: str = "", progress=None, *, max_rows: int = DEFAULT_MAX_ROWS,
               max_columns: int = DEFAULT_MAX_COLUMNS, encoding: str = "") -> Table:
    """The header row and the data rows of an uploaded file; refuses what is not a spreadsheet, or exceeds
    ``max_rows`` data rows or ``max_columns`` header columns. ``encoding`` (a key of CODECS) is the user's
    choice for a CSV; without one it is detected, or the user is asked (``EncodingUnsure``).

    ``progress(done, total)`` is called as rows are read, and once at the end with the final count."""
    if not content or not content.strip():
        raise ImportFileError(_("文件是空的。"))
    name = filename.lower()
    used = ""
    if _is_xlsx(content):
        try:
            headers, rows, problems = _read_xlsx(content, max_rows=max_rows, max_columns=max_columns,
                                                 progress=progress)
        except ImportFileError:
            raise
        except Exception:  # openpyxl raises many kinds on a damaged workbook
            raise ImportFileError(_("无法读取这个 Excel 文件：文件可能已损坏。")) from None
        file_format = "xlsx"
    elif content.startswith(b"PK\x03\x04") or name.endswith(
        (".xls", ".xlsm", ".ods", ".numbers", ".pdf", ".doc", ".docx", ".zip")
    ):
        raise ImportFileError(_("不支持这种文件：请上传 .xlsx 或 .csv 文件（旧版 .xls 请先另存为 .xlsx）。"))
    else:
        headers, rows, problems, used = _read_csv(content, encoding=encoding, max_rows=max_rows,
                                                  max_columns=max_columns, progress=progress)
        file_format = "csv"
    if not any(headers):
        raise ImportFileError(_("文件是空的：第一行应当是表头。"))
    if not rows:
        raise ImportFileError(_("文件只有表头，没有数据行。"))
    if progress:
        progress(len(rows), len(rows))
    return Table(headers=headers, rows=rows, file_format=file_format, encoding=used,
                 problems=[(row, index, _control_message(value)) for row, index, value in problems])
