"""A school of its own for the import tests (colleges, majors, classes, rooms, a term), the students layout's
dry run, and rosters in legacy encodings."""

import datetime as dt

from members.imports.engine import plan_import
from members.imports.layouts import LAYOUTS
from members.imports.reader import read_table
from members.tests.factories import UserFactory
from orgs.models import Gender
from orgs.tests.factories import (
    CollegeFactory,
    FloorFactory,
    MajorFactory,
    RoomFactory,
    SchoolClassFactory,
    TenantFactory,
    TermFactory,
)

STUDENTS = LAYOUTS["students"]


class School:
    def __init__(self):
        self.tenant = TenantFactory()
        t = self.tenant
        self.college = CollegeFactory(tenant=t, code="CS", name="计算机学院")
        self.other_college = CollegeFactory(tenant=t, code="FL", name="外国语学院")
        self.major = MajorFactory(tenant=t, college=self.college, code="SE", name="软件工程")
        self.other_major = MajorFactory(tenant=t, college=self.other_college, code="EN", name="英语")
        self.klass = SchoolClassFactory(tenant=t, major=self.major, name="软工2601班", enrolment_year=2026)
        self.english = SchoolClassFactory(tenant=t, major=self.other_major, name="英语2601班", enrolment_year=2026)
        floor = FloorFactory(tenant=t, building__name="东区1栋", number=1)
        self.male_room = RoomFactory(tenant=t, floor=floor, number="101", gender=Gender.MALE, capacity=4)
        self.female_room = RoomFactory(tenant=t, floor=floor, number="102", gender=Gender.FEMALE, capacity=4)
        self.term = TermFactory(tenant=t, name="2025-2026学年第二学期", start=dt.date(2026, 2, 23),
                                end=dt.date(2026, 7, 5))
        self.user = UserFactory(tenant=t, person=None)


def plan(school, content, name="roster.xlsx", layout=STUDENTS):
    return plan_import(layout, school.tenant, read_table(content, name))


#: Names of Taiwan and Hong Kong students (Big5 has only traditional characters) and as a Japanese Windows
#: writes them (Shift-JIS: kanji forms).
BIG5_NAMES = ["陳大文", "林美玲", "張偉", "王小明", "李志強", "黃淑芬", "吳建國", "劉德華", "蔡依林", "楊佳穎",
              "許家豪", "鄭雅婷", "謝宗翰", "郭怡君", "洪志明", "廖俊傑", "賴慧敏", "周杰倫", "葉麗華", "陳冠宇"]


SJIS_NAMES = ["陳大文", "林美玲", "張偉", "王小明", "李志強", "黄淑芬", "呉建国", "劉徳華", "蔡依林", "楊佳穎",
              "許家豪", "鄭雅美", "謝宗翰", "郭怡君", "洪志明", "廖俊傑", "頼慧敏", "周杰倫", "葉麗華", "陳冠宇"]


def roster_csv(names, encoding, college="CS"):
    """A roster with English headers (accepted as they are) and the college by its code, so that every line can
    be written in the legacy encoding."""
    lines = ["Student number,Name,Gender,College"]
    lines += [f"2026{i:06d},{name},{'男女'[i % 2]},{college}" for i, name in enumerate(names)]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)
