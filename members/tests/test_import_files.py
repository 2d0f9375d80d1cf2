"""Hostile and foreign files (issue 10, items 2 and 7): a declared sheet dimension is not trusted, rows and
columns are capped before they are read, a CSV's encoding is not guessed silently, and a control character
anywhere in a CSV is an error of its row and column in the dry run."""

import io
import os
import pickle
import resource
import time
import zipfile

import openpyxl
import pytest

from members.benchmarks import hostile_xlsx
from members.imports import reader
from members.imports.reader import EncodingUnsure, ImportFileError, decode_csv, encoding_report, read_table
from members.services import import_limits
from members.tests.import_world import BIG5_NAMES, SJIS_NAMES, STUDENTS, School, plan, roster_csv
from orgs.models import PolicyValue
from orgs.tenancy import tenant_scope

HEADERS4 = ["学号", "姓名", "性别", "学院"]
REAL = [(f"2026{i:06d}", f"学生{i}", "男", "计算机学院") for i in range(20)]


@pytest.fixture
def school(db):
    school = School()
    with tenant_scope(school.tenant):
        yield school


def bounded(fn, *, extra_mb=300, seconds=20):
    """Run ``fn`` in a forked child whose address space may grow by ``extra_mb`` at most, and return its result
    with its wall time: a reader that trusts the declared dimension dies of MemoryError there instead of
    taking the test machine with it."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        try:
            with open("/proc/self/status") as status:
                size_kb = next(int(line.split()[1]) for line in status if line.startswith("VmSize:"))
            limit = (size_kb + extra_mb * 1024) * 1024
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            started = time.perf_counter()
            try:
                payload = ("ok", fn(), time.perf_counter() - started)
            except ImportFileError as error:
                payload = ("refused", str(error), time.perf_counter() - started)
            except MemoryError:
                payload = ("memory", None, time.perf_counter() - started)
        except BaseException as error:  # noqa: BLE001 - reported to the parent
            payload = ("error", repr(error), 0)
        with os.fdopen(write, "wb") as out:
            pickle.dump(payload, out)
        os._exit(0)
    os.close(write)
    deadline = time.monotonic() + seconds
    while True:
        done, _status = os.waitpid(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline:
            os.kill(pid, 9)
            os.waitpid(pid, 0)
            return ("timeout", None, seconds)
        time.sleep(0.02)
    with os.fdopen(read, "rb") as incoming:
        return pickle.load(incoming)  # noqa: S301 (our own child's bytes)


def _rows(content, **limits):
    table = read_table(content, "bomb.xlsx", **limits)
    return len(table.rows), table.rows[-1]


# --- item 2: the import bomb ---


@pytest.mark.parametrize("far_cell", ["XFD1048576", "XFD20000"])
def test_a_5_kb_workbook_declaring_a_huge_sheet_is_read_as_its_real_rows_in_bounded_time_and_memory(far_cell):
    content = hostile_xlsx(far_cell=far_cell, rows=REAL, headers=HEADERS4)
    assert len(content) < 6000
    outcome, value, seconds = bounded(lambda: _rows(content))
    assert outcome == "ok", (outcome, value)
    assert value == (20, REAL[-1]) and seconds < 2


def test_data_a_million_rows_down_is_refused_when_it_is_met_with_the_row_and_the_limit():
    content = hostile_xlsx(far_cell="D1048576", rows=REAL, headers=HEADERS4, dimension="A1:XFD1048576")
    outcome, message, seconds = bounded(lambda: _rows(content, max_rows=100_000))
    assert outcome == "refused" and seconds < 2
    assert "第 1048576 行还有数据" in message and "最多导入 100000 行" in message


def test_a_header_wider_than_the_layout_and_its_margin_is_refused():
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in [HEADERS4, *REAL]:
        sheet.append(row)
    sheet.cell(row=1, column=16384, value="备注")  # a header cell in column XFD
    out = io.BytesIO()
    workbook.save(out)
    content = out.getvalue()
    outcome, message, _seconds = bounded(lambda: _rows(content, max_columns=49))
    assert outcome == "refused" and "表头有 16384 列，超过了这种导入的上限 49 列" in message


def test_the_schools_row_limit_is_a_policy_and_applies_to_csv_too(school):
    assert import_limits(tenant=school.tenant, kind="students", today=school.term.start) == {
        "max_rows": 100_000, "max_columns": len(STUDENTS.columns) + reader.COLUMN_MARGIN}
    PolicyValue.objects.create(tenant=school.tenant, key="members.import_max_rows", value=100,
                               effective_from=school.term.start)
    limits = import_limits(tenant=school.tenant, kind="students", today=school.term.start)
    assert limits["max_rows"] == 100
    text = "学号,姓名,性别,学院\r\n" + "".join(f"2026{i:06d},学生{i},男,计算机学院\r\n" for i in range(101))
    with pytest.raises(ImportFileError, match="第 102 行还有数据：每个文件最多导入 100 行"):
        read_table(text.encode(), "roster.csv", **limits)
    # blank lines after the last row do not count
    text = text.rsplit("2026000100", 1)[0] + ",,,\r\n" * 500
    assert len(read_table(text.encode(), "roster.csv", **limits).rows) == 100


def test_a_workbook_that_would_unpack_beyond_what_its_rows_need_is_refused_before_it_is_opened():
    source = io.BytesIO(hostile_xlsx(far_cell="A3", rows=REAL[:1], headers=HEADERS4))
    target = io.BytesIO()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            zout.writestr(item.filename, zin.read(item.filename))
        zout.writestr("xl/sharedStrings.xml", b"<sst>" + b" " * (40 * 2**20) + b"</sst>")  # 40 MB of nothing
    assert len(target.getvalue()) < 100_000
    with pytest.raises(ImportFileError, match="解压后有 40 MB"):
        read_table(target.getvalue(), "bomb.xlsx", max_rows=1000)


# --- item 7: encodings ---

#: A mainland roster with some of the rarer name characters (outside GB2312, inside GBK): no false alarm.
GB_NAMES = ["张伟", "王喆", "李堃", "刘淼", "陈犇", "杨玥", "赵珺", "黄垚", "周昱", "吴琳", "徐静", "孙磊",
            "马超", "朱婷", "胡军", "郭敏", "何洁", "高翔", "林峰", "罗娟"]


@pytest.mark.parametrize(("names", "codec", "key"), [(BIG5_NAMES, "cp950", "big5"),
                                                     (SJIS_NAMES, "cp932", "shift_jis")])
def test_a_big5_or_shift_jis_csv_is_not_guessed_as_gb18030_and_the_user_chooses_its_encoding(
        school, names, codec, key):
    content = roster_csv(names, codec)
    garbled = content.decode("gb18030")  # what the old reader imported, without an error
    assert "陳大文" not in garbled and "陈大文" not in garbled
    with pytest.raises(EncodingUnsure, match="无法确定这个 CSV 文件的编码"):
        plan(school, content, "roster.csv")
    report = encoding_report(content)
    assert report[0]["encoding"] == key and report[0]["plausible"]  # the one offered first
    assert report[0]["preview"][1] == f"2026000000,{names[0]},男,CS"
    assert not next(r for r in report if r["encoding"] == "gb18030")["plausible"]
    result = plan_import_with(school, content, encoding=key)
    assert result.ok and [v["name"] for v in result.new] == names


def plan_import_with(school, content, **options):
    from members.imports.engine import plan_import

    return plan_import(STUDENTS, school.tenant, read_table(content, "roster.csv", **options))


@pytest.mark.parametrize(("names", "codec"), [(BIG5_NAMES, "cp950"), (SJIS_NAMES, "cp932")])
def test_even_a_one_student_big5_or_shift_jis_file_is_not_read_as_gb18030(names, codec):
    for name in names:
        with pytest.raises(EncodingUnsure):
            decode_csv(roster_csv([name], codec))


def test_a_gb18030_roster_with_rarer_name_characters_is_still_read_without_asking(school):
    content = roster_csv(GB_NAMES, "gb18030")
    text, used = decode_csv(content)
    assert used == "gb18030" and "王喆" in text
    assert [v["name"] for v in plan(school, content, "roster.csv").new] == GB_NAMES
    # six names, five of them with such characters, or any one of them alone: still no false alarm
    assert decode_csv(roster_csv(GB_NAMES[:6], "gb18030"))[1] == "gb18030"
    assert all(decode_csv(roster_csv([name], "gb18030"))[1] == "gb18030" for name in GB_NAMES)


def test_a_chosen_encoding_that_cannot_read_the_file_says_which_line():
    content = roster_csv(BIG5_NAMES, "cp950")
    with pytest.raises(EncodingUnsure, match="按 UTF-8 编码无法读取第 2 行"):
        decode_csv(content, "utf-8")


def test_utf8_is_read_as_such_whatever_its_characters():
    content = roster_csv(BIG5_NAMES, "utf-8")
    assert decode_csv(content) == (content.decode(), "utf-8")


# --- item 7: control characters anywhere, by row and column ---


def test_a_nul_byte_after_the_first_4_kb_is_an_error_of_its_row_and_column_in_the_dry_run(school):
    lines = ["学号,姓名,性别,学院"] + [f"2026{i:06d},学生{i},男,计算机学院" for i in range(300)]
    lines[250] = "2026000249,学\x00生,男,计算机学院"
    content = ("\r\n".join(lines) + "\r\n").encode("gb18030")
    assert content.index(b"\x00") > 4096
    result = plan(school, content, "roster.csv")
    assert not result.ok
    assert [(e.row, e.column) for e in result.errors] == [(251, "姓名")]
    assert "NUL" in result.errors[0].message
    # an unmapped column is named by its own header; a control character other than NUL too
    content = ("学号,姓名,性别,学院,备注\r\n2026000001,张明,男,计算机学院,a\x01b\r\n"
               + "".join(f"2026{i:06d},学生{i},男,计算机学院,\r\n" for i in range(2, 10))).encode()
    result = plan(school, content, "roster.csv")
    assert [(e.row, e.column) for e in result.errors] == [(2, "备注")] and "U+0001" in result.errors[0].message


def test_a_binary_file_is_still_not_a_csv_and_a_nul_in_the_header_is_named():
    with pytest.raises(ImportFileError, match="无法识别文件格式"):
        read_table("学号,姓名".encode("utf-16"), "roster.csv")
    with pytest.raises(ImportFileError, match="表头第 2 列含有不可见的控制字符（NUL）"):
        read_table(("学号,姓\x00名,性别,学院\r\n" + "2026000001,张明,男,计算机学院\r\n" * 5).encode(), "roster.csv")
