"""The reference-data imports: colleges and majors, and the posts of the organisations. New rows, updates by
key, row and column errors in Chinese, export → import round trips, and another school's rows left alone."""

import pytest

from members.exports import layout_export, write_csv, write_xlsx
from members.imports.engine import apply_plan, plan_import
from members.imports.layouts import LAYOUTS
from members.imports.reader import read_table
from members.tests.factories import PersonFactory
from orgs.models import College, Major, Position, PositionCategory
from orgs.tenancy import scopes_disabled, tenant_scope
from orgs.tests.factories import (
    CollegeFactory,
    MajorFactory,
    OrganisationFactory,
    PositionFactory,
    SchoolClassFactory,
    TenantFactory,
)

COLLEGES = LAYOUTS["colleges"]
POSITIONS = LAYOUTS["positions"]
COLLEGE_HEADERS = ["学院名称", "学院代码", "专业名称", "专业代码"]
POSITION_HEADERS = ["组织", "职务名称", "类别", "级别"]


class School:
    def __init__(self):
        self.tenant = t = TenantFactory()
        self.college = CollegeFactory(tenant=t, code="CS", name="计算机学院")
        self.major = MajorFactory(tenant=t, college=self.college, code="SE", name="软件工程")
        self.union = OrganisationFactory(tenant=t, name="校学生会")
        self.minister = PositionFactory(tenant=t, organisation=self.union, name="部长",
                                        category=PositionCategory.CADRE, rank=30)
        # another school with the same codes and names: never read, never written
        self.other = TenantFactory()
        self.other_college = CollegeFactory(tenant=self.other, code="CS", name="乙校计算机学院")
        self.other_major = MajorFactory(tenant=self.other, college=self.other_college, code="SE", name="乙校软工")
        self.other_union = OrganisationFactory(tenant=self.other, name="校学生会")
        self.other_minister = PositionFactory(tenant=self.other, organisation=self.other_union, name="部长",
                                              category=PositionCategory.CADRE, rank=30)


@pytest.fixture
def school(db):
    school = School()
    with tenant_scope(school.tenant):
        yield school


def plan(school, rows, layout=COLLEGES, headers=None, name="file.xlsx"):
    headers = headers or (COLLEGE_HEADERS if layout is COLLEGES else POSITION_HEADERS)
    content = write_csv(headers, rows) if name.endswith(".csv") else write_xlsx(headers, rows, title="t")
    return plan_import(layout, school.tenant, read_table(content, name))


def run(school, rows, layout=COLLEGES, headers=None):
    result = plan(school, rows, layout, headers)
    assert result.ok, result.errors
    return apply_plan(layout, school.tenant, result)


def errors_of(result):
    return [(e.row, e.column, e.message) for e in result.errors]


def majors():
    return set(Major.objects.values_list("college__code", "code", "name"))


def other_schools_rows(school):
    with scopes_disabled():
        return (set(College.objects.filter(tenant=school.other).values_list("code", "name")),
                set(Major.objects.filter(tenant=school.other).values_list("college__code", "code", "name")),
                set(Position.objects.filter(tenant=school.other).values_list("organisation__name", "name", "category",
                                                                             "rank")))


# --- colleges and majors ---


def test_new_colleges_and_majors_and_a_college_without_a_major(school):
    before = other_schools_rows(school)
    counts = run(school, [("计算机学院", "CS", "网络工程", "NE"), ("外国语学院", "FL", "英语", "EN"),
                          ("外国语学院", "FL", "日语", "JA"), ("艺术学院", "ART", "", "")])
    assert counts == {"total": 4, "new": 4, "changed": 0, "unchanged": 0, "errors": 0}
    assert set(College.objects.values_list("code", "name")) == {("CS", "计算机学院"), ("FL", "外国语学院"),
                                                                ("ART", "艺术学院")}
    assert majors() == {("CS", "SE", "软件工程"), ("CS", "NE", "网络工程"), ("FL", "EN", "英语"), ("FL", "JA", "日语")}
    assert other_schools_rows(school) == before


def test_a_file_of_colleges_only_needs_no_major_columns(school):
    assert run(school, [("外国语学院", "FL")], headers=["学院名称", "学院代码"])["new"] == 1
    assert College.objects.get(code="FL").name == "外国语学院"


def test_reimport_updates_by_code(school):
    before = other_schools_rows(school)
    result = plan(school, [("计算机科学学院", "CS", "软件工程（卓越）", "SE")])
    assert result.counts() == {"total": 1, "new": 0, "changed": 1, "unchanged": 0, "errors": 0}
    assert result.samples == [(2, "SE", {"college_name": ("计算机学院", "计算机科学学院"),
                                         "major_name": ("软件工程", "软件工程（卓越）")})]
    apply_plan(COLLEGES, school.tenant, result)
    assert (College.objects.get().name, College.objects.get().pk) == ("计算机科学学院", school.college.pk)
    assert majors() == {("CS", "SE", "软件工程（卓越）")} and Major.objects.get().pk == school.major.pk
    assert other_schools_rows(school) == before
    assert plan(school, [("计算机科学学院", "CS", "", "")]).counts()["unchanged"] == 1


def test_an_unused_major_moves_to_another_college_a_used_one_does_not(school):
    run(school, [("外国语学院", "FL", "软件工程", "SE")])
    assert majors() == {("FL", "SE", "软件工程")}
    SchoolClassFactory(tenant=school.tenant, major=Major.objects.get(code="SE"))
    result = plan(school, [("计算机学院", "CS", "软件工程", "SE")])
    assert errors_of(result) == [(2, "学院代码", "专业“软件工程”已有班级或学生，不能改到另一个学院")]


def test_a_major_of_a_student_does_not_move_either(school):
    PersonFactory(tenant=school.tenant, college=school.college, major=school.major, school_class=None,
                  enrolment_year=2026)
    result = plan(school, [("外国语学院", "FL", "软件工程", "SE")])
    assert errors_of(result) == [(2, "学院代码", "专业“软件工程”已有班级或学生，不能改到另一个学院")]


def test_row_and_column_errors_in_chinese(school):
    result = plan(school, [
        ("外国语学院", "", "英语", "EN"),  # 2: blank required cell
        ("外国语学院", "FL", "英语", "EN"),  # 3
        ("外国语学院", "FL", "英语（师范）", "EN"),  # 4: the same major code again
        ("外国语学院", "FL", "日语", ""),  # 5: a major without its code
        ("外语学院", "FL", "俄语", "RU"),  # 6: the college named otherwise than in row 3
        ("艺术学院", "ART", "", ""),  # 7
        ("艺术学院", "ART", "", ""),  # 8: the same college again
        ("X" * 101, "TOOLONGCODE-TOOLONGCODE", "", ""),  # 9
    ])
    assert errors_of(result) == [
        (2, "学院代码", "必填，不能为空"),
        (4, "专业代码", "与第 3 行重复"),
        (5, "专业代码", "填写了专业名称时必填"),
        (6, "学院名称", "学院代码“FL”在前面的行中名为“外国语学院”，同一学院的名称须一致"),
        (8, "学院代码", "与第 7 行重复"),
        (9, "学院名称", "过长（最多 100 个字符）"),
        (9, "学院代码", "过长（最多 20 个字符）"),
    ]
    assert College.objects.count() == 1


def test_an_unknown_college_code_with_a_known_college_name_is_an_error(school):
    """A mistyped code would create a second college of the same name, which the student import could not tell
    apart."""
    result = plan(school, [("计算机学院", "CSE", "网络工程", "NE")])
    assert errors_of(result) == [(2, "学院名称", "学院名称“计算机学院”已用于学院代码“CS”")]
    result = plan(school, [("计算机学院", "CS", "软件工程", "SE2")])
    assert errors_of(result) == [(2, "专业名称", "学院“计算机学院”已有专业“软件工程”（专业代码“SE”）")]
    # a name freed in the same file may be taken
    assert plan(school, [("计算机学院", "CS", "软件工程（旧）", "SE"), ("计算机学院", "CS", "软件工程", "SE2")]).ok


def test_the_college_export_imports_back_unchanged(school):
    run(school, [("外国语学院", "FL", "英语", "EN"), ("艺术学院", "ART", "", ""), ("=公式学院", "+1", "-专业", "@M")])
    for fmt in ("xlsx", "csv"):
        content, _type = layout_export(COLLEGES, school.tenant, fmt)
        result = plan_import(COLLEGES, school.tenant, read_table(content, f"export.{fmt}"))
        assert result.counts() == {"total": 4, "new": 0, "changed": 0, "unchanged": 4, "errors": 0}, fmt


# --- positions ---


def test_new_positions_and_updates_by_organisation_and_name(school):
    before = other_schools_rows(school)
    result = plan(school, [("校学生会", "部长", "干事", 35), ("校学生会", "干事", "officer", 90)], POSITIONS)
    assert result.counts() == {"total": 2, "new": 1, "changed": 1, "unchanged": 0, "errors": 0}
    assert result.samples == [(2, "校学生会 部长", {"category": ("cadre", "officer"), "rank": (30, 35)})]
    apply_plan(POSITIONS, school.tenant, result)
    assert set(Position.objects.values_list("name", "category", "rank")) == {("部长", "officer", 35),
                                                                             ("干事", "officer", 90)}
    assert Position.objects.get(name="部长").pk == school.minister.pk
    assert other_schools_rows(school) == before


def test_an_absent_rank_column_leaves_ranks_alone_and_new_posts_get_the_default(school):
    run(school, [("校学生会", "部长", "干部"), ("校学生会", "副部长", "干部")], POSITIONS, ["组织", "职务名称", "类别"])
    assert dict(Position.objects.values_list("name", "rank")) == {"部长": 30, "副部长": 50}


def test_position_errors_in_chinese(school):
    result = plan(school, [
        ("乙校学生会", "部长", "干部", 1),  # 2: no such organisation in this school
        ("校学生会", "", "干部", 1),  # 3: blank required cell
        ("校学生会", "主席", "领导", "一"),  # 4
        ("校学生会", "主席", "干部", 10),  # 5
        ("校学生会", "主席", "干部", 10),  # 6: the same post again
    ], POSITIONS)
    assert errors_of(result) == [
        (2, "组织", "组织“乙校学生会”不存在"),
        (3, "职务名称", "必填，不能为空"),
        (4, "类别", "“领导”不是有效取值（可填：干部、干事）"),
        (4, "级别", "“一”不是整数"),
        (6, "职务名称", "与第 5 行重复"),
    ]


def test_the_position_export_imports_back_unchanged(school):
    run(school, [("校学生会", "干事", "干事", 90)], POSITIONS)
    for fmt in ("xlsx", "csv"):
        content, _type = layout_export(POSITIONS, school.tenant, fmt)
        result = plan_import(POSITIONS, school.tenant, read_table(content, f"export.{fmt}"))
        assert result.counts() == {"total": 2, "new": 0, "changed": 0, "unchanged": 2, "errors": 0}, fmt
