"""The imports of OR-4 and their columns: students, colleges and majors, classes, rooms, positions, academic
standing, discipline.

A layout preloads everything a row may refer to (``prepare``: a handful of queries whatever the size of
the file), turns a row into field values or errors (``clean_row``), says what differs from the stored row
(``differences``), writes a plan in bulk (``write``) and exports the school's rows in the same layout
(``export_rows``), so an export can be edited and imported again.
"""

from collections import Counter, defaultdict, namedtuple
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from members.imports import cells
from members.imports.engine import Column
from members.models import (
    AcademicStanding,
    DisciplinaryRecord,
    DisciplineLevel,
    Person,
    PersonKind,
    PoliticalStatus,
)
from orgs.models import (
    Building,
    College,
    Floor,
    Gender,
    Major,
    Organisation,
    Position,
    PositionCategory,
    Room,
    SchoolClass,
    Term,
)

BATCH = 1000


def _choices(text_choices) -> dict[str, str]:
    """Label → key, accepting the Chinese label, the key and (case-insensitive) English words."""
    mapping = {}
    for key, label in text_choices.choices:
        mapping[str(label)] = key
        mapping[key] = key
        mapping[key.lower()] = key
    return mapping


GENDERS = {**_choices(Gender), "男生": "M", "女生": "F", "male": "M", "female": "F", "m": "M", "f": "F"}
POLITICAL = _choices(PoliticalStatus)
DISCIPLINE = _choices(DisciplineLevel)
CATEGORIES = _choices(PositionCategory)


@dataclass
class Context:
    existing: dict = field(default_factory=dict)  # natural key -> stored row (namedtuple with pk)
    lookups: dict = field(default_factory=dict)


class Layout:
    kind: str
    label: str
    model: type
    columns: tuple[Column, ...]
    key_column: str  # the column named in a "duplicate" error

    def header(self, key: str) -> str:
        return next(c.header for c in self.columns if c.key == key)

    def differences(self, existing, values: dict, present: frozenset) -> dict:
        """Field → (old, new) for the fields this file sets and that differ from the stored row."""
        result = {}
        for name in self.fields_set(present):
            old, new = getattr(existing, name), values[name]
            if old != new:
                result[name] = (old, new)
        return result

    def describe_key(self, values: dict) -> str:
        return str(values[self.key_column])

    def duplicate_column(self, values: dict) -> str:
        """The column named when this row's key repeats an earlier row's."""
        return self.key_column

    def check_plan(self, plan, context, fail) -> None:
        """Checks across rows, after every row is clean (e.g. room capacity)."""

    def _update(self, plan, fields_for) -> None:
        if not plan.changed:
            return
        names = sorted({name for _pk, _values, changed in plan.changed for name in changed})
        objects = []
        for pk, values, _changed in plan.changed:
            obj = self.model(pk=pk)
            for name in names:
                setattr(obj, name, values.get(name))
            objects.append(obj)
        # every changed row gets every changed field; unchanged ones get their own value again
        self.model.objects.bulk_update(objects, fields_for(names), batch_size=BATCH)


def _stored(model, fields, key, **filters):
    """Stored rows as namedtuples keyed by their natural key (one query)."""
    row_type = namedtuple("Stored", ("pk", *fields))
    return {key(row): row for row in map(row_type._make, model.objects.filter(**filters).values_list("pk", *fields))}


# --- students (OR-4) ---


class StudentLayout(Layout):
    kind = "students"
    label = gettext_lazy("学生名册")
    model = Person
    key_column = "number"
    columns = (
        Column("number", gettext_lazy("学号"), ("student number", "student_no", "number"), True, "2026010001"),
        Column("name", gettext_lazy("姓名"), ("name",), True, "张明"),
        Column("gender", gettext_lazy("性别"), ("gender", "sex"), True, "男"),
        Column("college", gettext_lazy("学院"), ("college", "school"), True, "计算机科学与技术学院"),
        Column("major", gettext_lazy("专业"), ("major",), False, "软件工程"),
        Column("school_class", gettext_lazy("班级"), ("class",), False, "软工2601班"),
        Column("enrolment_year", gettext_lazy("入学年份"), ("enrolment year", "enrollment year", "grade"), False, 2026),
        Column("room", gettext_lazy("寝室"), ("room", "dorm"), False, "东区1栋 101"),
        Column("political_status", gettext_lazy("政治面貌"), ("political status",), False, "共青团员"),
    )
    FIELDS = ("number", "name", "gender", "college_id", "major_id", "school_class_id", "enrolment_year", "room_id",
              "political_status")

    def fields_set(self, present):
        names = ["name", "gender", "college_id"]
        if "major" in present or "school_class" in present:
            names.append("major_id")
        if "school_class" in present:
            names.append("school_class_id")
        if "enrolment_year" in present or "school_class" in present:
            names.append("enrolment_year")
        if "room" in present:
            names.append("room_id")
        if "political_status" in present:
            names.append("political_status")
        return names

    def prepare(self, tenant, present):
        colleges = {}
        for pk, code, name in College.objects.values_list("pk", "code", "name"):
            colleges[name], colleges[code] = pk, pk
        majors = {}
        for pk, code, name, college_id in Major.objects.values_list("pk", "code", "name", "college_id"):
            majors[(college_id, name)] = majors[(college_id, code)] = (pk, college_id)
        classes = {name: (pk, major_id, college_id, year) for pk, name, major_id, college_id, year in
                   SchoolClass.objects.values_list("pk", "name", "major_id", "college_id", "enrolment_year")}
        rooms = {
            f"{building} {number}": (pk, gender, capacity)
            for pk, building, number, gender, capacity in
            Room.objects.values_list("pk", "building__name", "number", "gender", "capacity")
        }
        existing = _stored(Person, self.FIELDS, lambda r: r.number)
        return Context(existing=existing, lookups={"colleges": colleges, "majors": majors, "classes": classes,
                                                   "rooms": rooms})

    def clean_row(self, row, context, fail):
        look = context.lookups
        number = cells.text(row["number"])
        values = {"number": number, "name": cells.text(row["name"]), "kind": PersonKind.STUDENT}
        if len(number) > 32:
            fail("number", _("学号过长（最多 32 个字符）"))
        if len(values["name"]) > 40:
            fail("name", _("姓名过长（最多 40 个字符）"))
        try:
            values["gender"] = cells.choice(row["gender"], GENDERS)
        except cells.CellError as error:
            fail("gender", str(error))
        college = cells.text(row["college"])
        values["college_id"] = look["colleges"].get(college)
        if values["college_id"] is None:
            fail("college", _("学院“%(name)s”不存在") % {"name": college})
            return None
        values["major_id"] = values["school_class_id"] = values["room_id"] = None
        values["enrolment_year"] = None
        values["political_status"] = PoliticalStatus.MASSES
        major = cells.text(row.get("major"))
        if major:
            found = look["majors"].get((values["college_id"], major))
            if found is None:
                message = _("专业“%(major)s”不存在或不属于学院“%(college)s”")
                fail("major", message % {"major": major, "college": college})
            else:
                values["major_id"] = found[0]
        class_name = cells.text(row.get("school_class"))
        if class_name:
            found = look["classes"].get(class_name)
            if found is None:
                fail("school_class", _("班级“%(name)s”不存在") % {"name": class_name})
            elif found[2] != values["college_id"]:
                message = _("班级“%(name)s”不属于学院“%(college)s”")
                fail("school_class", message % {"name": class_name, "college": college})
            elif values["major_id"] is not None and found[1] != values["major_id"]:
                fail("school_class", _("班级“%(name)s”不属于专业“%(major)s”") % {"name": class_name, "major": major})
            else:
                values["school_class_id"], values["major_id"], values["enrolment_year"] = found[0], found[1], found[3]
        if not cells.is_blank(row.get("enrolment_year")):
            try:
                year = cells.integer(row["enrolment_year"], minimum=1950, maximum=2100)
            except cells.CellError as error:
                fail("enrolment_year", str(error))
            else:
                if values["school_class_id"] is not None and year != values["enrolment_year"]:
                    fail("enrolment_year", _("与班级的入学年份 %(year)s 不一致") % {"year": values["enrolment_year"]})
                values["enrolment_year"] = year
        room = " ".join(cells.text(row.get("room")).split())
        if room:
            found = look["rooms"].get(room)
            if found is None:
                fail("room", _("寝室“%(room)s”不存在（格式：楼栋 房间号，例如“东区1栋 101”）") % {"room": room})
            elif "gender" in values and found[1] != values["gender"]:
                fail("room", _("寝室“%(room)s”是%(room_gender)s生寝室，与学生性别不符") % {
                    "room": room, "room_gender": Gender(found[1]).label})
            else:
                values["room_id"] = found[0]
        if not cells.is_blank(row.get("political_status")):
            try:
                values["political_status"] = cells.choice(row["political_status"], POLITICAL)
            except cells.CellError as error:
                fail("political_status", str(error))
        return values

    def key_of(self, values):
        return values["number"]

    def check_plan(self, plan, context, fail):
        """No room ends up over capacity once the file's students have moved in."""
        if "room" not in plan.present:
            return
        final = {number: row.room_id for number, row in context.existing.items()}
        arrivals = {}
        for values in plan.new:
            final[values["number"]] = values["room_id"]
            arrivals.setdefault(values["room_id"], []).append(values)
        for _pk, values, changed in plan.changed:
            final[values["number"]] = values["room_id"]
            if "room_id" in changed:
                arrivals.setdefault(values["room_id"], []).append(values)
        occupancy = Counter(room for room in final.values() if room is not None)
        capacity = {pk: (label, cap) for label, (pk, _gender, cap) in context.lookups["rooms"].items()}
        for room_id, count in occupancy.items():
            label, cap = capacity[room_id]
            if count > cap:
                for values in arrivals.get(room_id, []):
                    message = _("寝室“%(room)s”只有 %(capacity)s 个床位，导入后将有 %(count)s 人")
                    fail(values["_row"], "room", message % {"room": label, "capacity": cap, "count": count})

    def write(self, tenant, plan):
        create = [Person(tenant=tenant, **{k: v for k, v in values.items() if k != "_row"}) for values in plan.new]
        Person.objects.bulk_create(create, batch_size=BATCH)
        self._update(plan, lambda names: names)

    def export_rows(self, tenant):
        people = Person.objects.filter(kind=PersonKind.STUDENT).order_by("number").values_list(
            "number", "name", "gender", "college__name", "major__name", "school_class__name", "enrolment_year",
            "room__building__name", "room__number", "political_status",
        )
        genders, statuses = dict(Gender.choices), dict(PoliticalStatus.choices)
        for number, name, gender, college, major, klass, year, building, room, status in people.iterator(2000):
            yield (number, name, str(genders[gender]), college or "", major or "", klass or "", year,
                   f"{building} {room}" if room else "", str(statuses[status]))


# --- colleges and majors ---


class CollegeLayout(Layout):
    """One row per major, with its college; a row without a major creates (or renames) a college only.

    Both codes are unique in a school and are the keys: a row's key is its major's code, or its college's
    code when it has no major. A college is named by every row that carries its code, so those rows must
    agree. Names stay unique where the other imports look them up: one college per name, one major per name
    in a college. A major moves to another college only while no class and no student refers to it (a class
    and a student keep their major's college)."""

    kind = "colleges"
    label = gettext_lazy("学院与专业")
    model = Major
    key_column = "major_code"
    columns = (
        Column("college_name", gettext_lazy("学院名称"), ("college", "college name"), True, "计算机科学与技术学院"),
        Column("college_code", gettext_lazy("学院代码"), ("college code",), True, "CS"),
        Column("major_name", gettext_lazy("专业名称"), ("major", "major name"), False, "软件工程"),
        Column("major_code", gettext_lazy("专业代码"), ("major code",), False, "080902"),
    )
    LIMITS = {"college_name": 100, "college_code": 20, "major_name": 100, "major_code": 20}

    def prepare(self, tenant, present):
        colleges = {code: (pk, name) for pk, code, name in College.objects.values_list("pk", "code", "name")}
        code_of = {pk: code for code, (pk, _name) in colleges.items()}
        majors = {code: (pk, code_of[college_id], name)
                  for pk, code, name, college_id in Major.objects.values_list("pk", "code", "name", "college_id")}
        used = {*SchoolClass.objects.order_by().values_list("major_id", flat=True).distinct(),
                *Person.objects.filter(major__isnull=False).order_by().values_list("major_id", flat=True).distinct()}
        row_type = namedtuple("Stored", ("pk", "college_code", "college_name", "major_name"))
        existing = {("college", code): row_type(pk, code, name, "") for code, (pk, name) in colleges.items()}
        for code, (pk, college_code, name) in majors.items():
            existing[("major", code)] = row_type(pk, college_code, colleges[college_code][1], name)
        return Context(existing=existing, lookups={"colleges": colleges, "majors": majors, "used": used,
                                                   "named": {}})

    def clean_row(self, row, context, fail):
        values = {key: cells.text(row.get(key)) for key in self.LIMITS}
        for key, limit in self.LIMITS.items():
            if len(values[key]) > limit:
                fail(key, _("过长（最多 %(limit)s 个字符）") % {"limit": limit})
        if values["major_name"] and not values["major_code"]:
            fail("major_code", _("填写了专业名称时必填"))
        if values["major_code"] and not values["major_name"]:
            fail("major_name", _("填写了专业代码时必填"))
        code, name = values["college_code"], values["college_name"]
        first = context.lookups["named"].setdefault(code, name)  # the file's first name for this college
        if first != name:
            fail("college_name", _("学院代码“%(code)s”在前面的行中名为“%(name)s”，同一学院的名称须一致") % {
                "code": code, "name": first})
        stored = context.lookups["majors"].get(values["major_code"])
        if stored is not None and stored[1] != code and stored[0] in context.lookups["used"]:
            fail("college_code", _("专业“%(major)s”已有班级或学生，不能改到另一个学院") % {"major": stored[2]})
        return values

    def key_of(self, values):
        return ("major", values["major_code"]) if values["major_code"] else ("college", values["college_code"])

    def duplicate_column(self, values):
        return "major_code" if values["major_code"] else "college_code"

    def describe_key(self, values):
        if values["major_code"]:
            return values["major_code"]
        return _("%(code)s（学院）") % {"code": values["college_code"]}

    def differences(self, existing, values, present):
        names = ("college_code", "college_name", "major_name") if values["major_code"] else ("college_name",)
        return {name: (getattr(existing, name), values[name]) for name in names
                if getattr(existing, name) != values[name]}

    def check_plan(self, plan, context, fail):
        """Once the file is written, no two colleges share a name, nor two majors of one college."""
        rows = plan.new + [values for _pk, values, _changed in plan.changed]
        colleges = {code: name for code, (_pk, name) in context.lookups["colleges"].items()}
        majors = {code: (college, name) for code, (_pk, college, name) in context.lookups["majors"].items()}
        for values in rows:
            colleges[values["college_code"]] = values["college_name"]
            if values["major_code"]:
                majors[values["major_code"]] = (values["college_code"], values["major_name"])
        college_codes, major_codes = defaultdict(set), defaultdict(set)
        for code, name in colleges.items():
            college_codes[name].add(code)
        for code, college_and_name in majors.items():
            major_codes[college_and_name].add(code)
        for values in rows:
            others = college_codes[values["college_name"]] - {values["college_code"]}
            if others:
                fail(values["_row"], "college_name", _("学院名称“%(name)s”已用于学院代码“%(codes)s”") % {
                    "name": values["college_name"], "codes": "、".join(sorted(others))})
            if values["major_code"]:
                others = major_codes[(values["college_code"], values["major_name"])] - {values["major_code"]}
                if others:
                    message = _("学院“%(college)s”已有专业“%(name)s”（专业代码“%(codes)s”）")
                    fail(values["_row"], "major_name", message % {
                        "college": values["college_name"], "name": values["major_name"],
                        "codes": "、".join(sorted(others))})

    def write(self, tenant, plan):
        rows = plan.new + [values for _pk, values, _changed in plan.changed]
        names = {values["college_code"]: values["college_name"] for values in rows}
        stored = {code: (pk, name) for pk, code, name in College.objects.values_list("pk", "code", "name")}
        College.objects.bulk_create([College(tenant=tenant, code=code, name=name)
                                     for code, name in sorted(names.items()) if code not in stored], batch_size=BATCH)
        College.objects.bulk_update([College(pk=stored[code][0], name=name) for code, name in names.items()
                                     if code in stored and stored[code][1] != name], ["name"], batch_size=BATCH)
        colleges = dict(College.objects.values_list("code", "pk"))
        Major.objects.bulk_create([
            Major(tenant=tenant, college_id=colleges[v["college_code"]], code=v["major_code"], name=v["major_name"])
            for v in plan.new if v["major_code"]
        ], batch_size=BATCH)
        Major.objects.bulk_update([
            Major(pk=pk, college_id=colleges[v["college_code"]], name=v["major_name"])
            for pk, v, changed in plan.changed if v["major_code"] and {"college_code", "major_name"} & set(changed)
        ], ["college_id", "name"], batch_size=BATCH)

    def export_rows(self, tenant):
        """A row per major, and one per college without a major."""
        majors = defaultdict(list)
        for college_id, name, code in Major.objects.order_by("code").values_list("college_id", "name", "code"):
            majors[college_id].append((name, code))
        for pk, name, code in College.objects.order_by("code").values_list("pk", "name", "code"):
            for major_name, major_code in majors.get(pk, [("", "")]):
                yield (name, code, major_name, major_code)


# --- classes ---


class ClassLayout(Layout):
    kind = "classes"
    label = gettext_lazy("班级")
    model = SchoolClass
    key_column = "name"
    columns = (
        Column("name", gettext_lazy("班级名称"), ("class", "class name", "name"), True, "软工2601班"),
        Column("major", gettext_lazy("专业"), ("major",), True, "软件工程"),
        Column("enrolment_year", gettext_lazy("入学年份"), ("enrolment year", "enrollment year", "grade"), True, 2026),
    )

    def fields_set(self, present):
        return ["major_id", "college_id", "enrolment_year"]

    def prepare(self, tenant, present):
        majors, ambiguous = {}, set()
        for pk, code, name, college_id in Major.objects.values_list("pk", "code", "name", "college_id"):
            majors[code] = (pk, college_id)
            if name in majors and majors[name][0] != pk:
                ambiguous.add(name)
            majors.setdefault(name, (pk, college_id))
        existing = _stored(SchoolClass, ("name", "major_id", "college_id", "enrolment_year"), lambda r: r.name)
        return Context(existing=existing, lookups={"majors": majors, "ambiguous": ambiguous})

    def clean_row(self, row, context, fail):
        name, major = cells.text(row["name"]), cells.text(row["major"])
        values = {"name": name}
        if len(name) > 100:
            fail("name", _("班级名称过长（最多 100 个字符）"))
        if major in context.lookups["ambiguous"]:
            fail("major", _("多个学院都有专业“%(major)s”，请填写专业代码") % {"major": major})
        found = context.lookups["majors"].get(major)
        if found is None:
            fail("major", _("专业“%(major)s”不存在") % {"major": major})
        else:
            values["major_id"], values["college_id"] = found
        try:
            values["enrolment_year"] = cells.integer(row["enrolment_year"], minimum=1950, maximum=2100)
        except cells.CellError as error:
            fail("enrolment_year", str(error))
        return values

    def key_of(self, values):
        return values["name"]

    def write(self, tenant, plan):
        SchoolClass.objects.bulk_create(
            [SchoolClass(tenant=tenant, **{k: v for k, v in values.items() if k != "_row"}) for values in plan.new],
            batch_size=BATCH,
        )
        self._update(plan, lambda names: names)

    def export_rows(self, tenant):
        yield from SchoolClass.objects.order_by("-enrolment_year", "name").values_list(
            "name", "major__name", "enrolment_year").iterator(2000)


# --- rooms ---


class RoomLayout(Layout):
    kind = "rooms"
    label = gettext_lazy("寝室")
    model = Room
    key_column = "number"
    columns = (
        Column("building", gettext_lazy("楼栋"), ("building",), True, "东区1栋"),
        Column("floor", gettext_lazy("楼层"), ("floor",), True, 1),
        Column("number", gettext_lazy("房间号"), ("room", "room number", "number"), True, "101"),
        Column("gender", gettext_lazy("性别"), ("gender", "sex"), True, "女"),
        Column("capacity", gettext_lazy("床位数"), ("capacity", "beds"), True, 4),
    )

    def fields_set(self, present):
        return ["gender", "capacity", "floor_number"]

    def prepare(self, tenant, present):
        row_type = namedtuple("Stored", ("pk", "building", "number", "gender", "capacity", "floor_number"))
        existing = {
            (r.building, r.number): r for r in map(row_type._make, Room.objects.values_list(
                "pk", "building__name", "number", "gender", "capacity", "floor__number"))
        }
        occupants = {}
        for room_id, gender, count in _occupants():
            occupants.setdefault(room_id, Counter())[gender] += count
        return Context(existing=existing, lookups={"occupants": occupants})

    def clean_row(self, row, context, fail):
        values = {"building": cells.text(row["building"]), "number": cells.text(row["number"])}
        try:
            values["floor_number"] = cells.integer(row["floor"], minimum=-5, maximum=200)
        except cells.CellError as error:
            fail("floor", str(error))
        try:
            values["gender"] = cells.choice(row["gender"], GENDERS)
        except cells.CellError as error:
            fail("gender", str(error))
        try:
            values["capacity"] = cells.integer(row["capacity"], minimum=1, maximum=16)
        except cells.CellError as error:
            fail("capacity", str(error))
        stored = context.existing.get((values["building"], values["number"]))
        if stored is not None and "gender" in values and "capacity" in values:
            residents = context.lookups["occupants"].get(stored.pk, Counter())
            others = sum(n for gender, n in residents.items() if gender != values["gender"])
            if others:
                fail("gender", _("该寝室现住 %(count)s 名异性学生，不能改为%(gender)s生寝室") % {
                    "count": others, "gender": Gender(values["gender"]).label})
            if sum(residents.values()) > values["capacity"]:
                fail("capacity", _("该寝室现住 %(count)s 人，床位数不能少于此数") % {"count": sum(residents.values())})
        return values

    def key_of(self, values):
        return (values["building"], values["number"])

    def describe_key(self, values):
        return f"{values['building']} {values['number']}"

    def write(self, tenant, plan):
        rows = plan.new + [values for _pk, values, _changed in plan.changed]
        buildings = dict(Building.objects.values_list("name", "pk"))
        missing = sorted({v["building"] for v in rows} - set(buildings))
        Building.objects.bulk_create([Building(tenant=tenant, name=name) for name in missing], batch_size=BATCH)
        buildings = dict(Building.objects.values_list("name", "pk"))
        floors = {(b, n): pk for pk, b, n in Floor.objects.values_list("pk", "building_id", "number")}
        wanted = sorted({(buildings[v["building"]], v["floor_number"]) for v in rows} - set(floors))
        Floor.objects.bulk_create([Floor(tenant=tenant, building_id=b, number=n) for b, n in wanted], batch_size=BATCH)
        floors = {(b, n): pk for pk, b, n in Floor.objects.values_list("pk", "building_id", "number")}
        for values in rows:
            values["building_id"] = buildings[values["building"]]
            values["floor_id"] = floors[(values["building_id"], values["floor_number"])]
        Room.objects.bulk_create([
            Room(tenant=tenant, building_id=v["building_id"], floor_id=v["floor_id"], number=v["number"],
                 gender=v["gender"], capacity=v["capacity"]) for v in plan.new
        ], batch_size=BATCH)
        if plan.changed:
            objects = [Room(pk=pk, gender=v["gender"], capacity=v["capacity"], floor_id=v["floor_id"])
                       for pk, v, _changed in plan.changed]
            Room.objects.bulk_update(objects, ["gender", "capacity", "floor_id"], batch_size=BATCH)

    def export_rows(self, tenant):
        genders = dict(Gender.choices)
        for building, floor, number, gender, capacity in Room.objects.order_by(
            "building__name", "floor__number", "number"
        ).values_list("building__name", "floor__number", "number", "gender", "capacity").iterator(2000):
            yield (building, floor, number, str(genders[gender]), capacity)


def _occupants():
    """(room, gender, residents) for every occupied room: one grouped query."""
    return Person.objects.filter(room__isnull=False).values_list("room_id", "gender").annotate(n=Count("pk"))


# --- positions ---


class PositionLayout(Layout):
    """The posts of the school's organisations (the organisations themselves are kept in the admin)."""

    kind = "positions"
    label = gettext_lazy("职务")
    model = Position
    key_column = "name"
    columns = (
        Column("organisation", gettext_lazy("组织"), ("organisation", "organization"), True, "计算机学院学生会"),
        Column("name", gettext_lazy("职务名称"), ("position", "post", "name"), True, "部长"),
        Column("category", gettext_lazy("类别"), ("category",), True, "干部"),
        Column("rank", gettext_lazy("级别"), ("rank",), False, 30),
    )
    DEFAULT_RANK = Position._meta.get_field("rank").default

    def fields_set(self, present):
        return ["category", "rank"] if "rank" in present else ["category"]

    def prepare(self, tenant, present):
        organisations = dict(Organisation.objects.values_list("name", "pk"))
        existing = _stored(Position, ("organisation_id", "name", "category", "rank"),
                           lambda r: (r.organisation_id, r.name))
        return Context(existing=existing, lookups={"organisations": organisations})

    def clean_row(self, row, context, fail):
        organisation, name = cells.text(row["organisation"]), cells.text(row["name"])
        values = {"organisation": organisation, "organisation_id": context.lookups["organisations"].get(organisation),
                  "name": name, "rank": self.DEFAULT_RANK}
        if values["organisation_id"] is None:
            fail("organisation", _("组织“%(name)s”不存在") % {"name": organisation})
        if len(name) > 40:
            fail("name", _("过长（最多 %(limit)s 个字符）") % {"limit": 40})
        try:
            values["category"] = cells.choice(row["category"], CATEGORIES)
        except cells.CellError as error:
            fail("category", str(error))
        if not cells.is_blank(row.get("rank")):
            try:
                values["rank"] = cells.integer(row["rank"], minimum=0, maximum=32767)
            except cells.CellError as error:
                fail("rank", str(error))
        return values

    def key_of(self, values):
        return (values["organisation_id"], values["name"])

    def describe_key(self, values):
        return f"{values['organisation']} {values['name']}"

    def write(self, tenant, plan):
        Position.objects.bulk_create([
            Position(tenant=tenant, organisation_id=v["organisation_id"], name=v["name"], category=v["category"],
                     rank=v["rank"]) for v in plan.new
        ], batch_size=BATCH)
        self._update(plan, lambda names: names)

    def export_rows(self, tenant):
        categories = dict(PositionCategory.choices)
        for organisation, name, category, rank in Position.objects.order_by(
            "organisation__name", "rank", "name"
        ).values_list("organisation__name", "name", "category", "rank").iterator(2000):
            yield (organisation, name, str(categories[category]), rank)


# --- academic standing ---


class StandingLayout(Layout):
    kind = "standing"
    label = gettext_lazy("学业情况")
    model = AcademicStanding
    key_column = "number"
    columns = (
        Column("number", gettext_lazy("学号"), ("student number", "number"), True, "2026010001"),
        Column("term", gettext_lazy("学期"), ("term", "semester"), True, "2025-2026学年第二学期"),
        Column("rank_percentile", gettext_lazy("专业排名百分位"), ("rank percentile", "rank"), True, 15),
        Column("failed_courses", gettext_lazy("不及格课程数"), ("failed courses", "failed"), True, 0),
    )

    def fields_set(self, present):
        return ["rank_percentile", "failed_courses"]

    def prepare(self, tenant, present):
        people = dict(Person.objects.values_list("number", "pk"))
        terms = dict(Term.objects.values_list("name", "pk"))
        existing = _stored(AcademicStanding, ("person_id", "term_id", "rank_percentile", "failed_courses"),
                           lambda r: (r.person_id, r.term_id))
        return Context(existing=existing, lookups={"people": people, "terms": terms})

    def clean_row(self, row, context, fail):
        number, term = cells.text(row["number"]), cells.text(row["term"])
        values = {"number": number, "person_id": context.lookups["people"].get(number),
                  "term_id": context.lookups["terms"].get(term)}
        if values["person_id"] is None:
            fail("number", _("学号“%(number)s”不存在，请先导入学生名册") % {"number": number})
        if values["term_id"] is None:
            fail("term", _("学期“%(term)s”不存在") % {"term": term})
        try:
            values["rank_percentile"] = cells.decimal(row["rank_percentile"], minimum=Decimal(0), maximum=Decimal(100))
        except cells.CellError as error:
            fail("rank_percentile", str(error))
        try:
            values["failed_courses"] = cells.integer(row["failed_courses"], minimum=0, maximum=100)
        except cells.CellError as error:
            fail("failed_courses", str(error))
        return values

    def key_of(self, values):
        return (values["person_id"], values["term_id"])

    def describe_key(self, values):
        return values["number"]

    def write(self, tenant, plan):
        AcademicStanding.objects.bulk_create([
            AcademicStanding(tenant=tenant, person_id=v["person_id"], term_id=v["term_id"],
                             rank_percentile=v["rank_percentile"], failed_courses=v["failed_courses"])
            for v in plan.new
        ], batch_size=BATCH)
        self._update(plan, lambda names: names)

    def export_rows(self, tenant):
        yield from AcademicStanding.objects.order_by("person__number", "term__start").values_list(
            "person__number", "term__name", "rank_percentile", "failed_courses").iterator(2000)


# --- disciplinary records ---


class DisciplineLayout(Layout):
    kind = "discipline"
    label = gettext_lazy("违纪处分")
    model = DisciplinaryRecord
    key_column = "number"
    columns = (
        Column("number", gettext_lazy("学号"), ("student number", "number"), True, "2026010001"),
        Column("level", gettext_lazy("处分"), ("level", "sanction"), True, "警告"),
        Column("decided_on", gettext_lazy("处分日期"), ("date", "decided on"), True, "2026-10-08"),
        Column("reason", gettext_lazy("事由"), ("reason",), True, "夜不归宿"),
        Column("document_number", gettext_lazy("文号"), ("document number",), False, "学工〔2026〕12号"),
        Column("lifted_on", gettext_lazy("解除日期"), ("lifted on",), False, ""),
    )

    def fields_set(self, present):
        return ["reason"] + [name for name in ("document_number", "lifted_on") if name in present]

    def prepare(self, tenant, present):
        people = dict(Person.objects.values_list("number", "pk"))
        existing = _stored(DisciplinaryRecord, ("person_id", "level", "decided_on", "reason", "document_number",
                                                "lifted_on"), lambda r: (r.person_id, r.decided_on, r.level))
        return Context(existing=existing, lookups={"people": people})

    def clean_row(self, row, context, fail):
        number = cells.text(row["number"])
        values = {"number": number, "person_id": context.lookups["people"].get(number),
                  "reason": cells.text(row["reason"]), "document_number": cells.text(row.get("document_number")),
                  "lifted_on": None}
        if values["person_id"] is None:
            fail("number", _("学号“%(number)s”不存在，请先导入学生名册") % {"number": number})
        if len(values["reason"]) > 200:
            fail("reason", _("事由过长（最多 200 个字符）"))
        try:
            values["level"] = cells.choice(row["level"], DISCIPLINE)
        except cells.CellError as error:
            fail("level", str(error))
        try:
            values["decided_on"] = cells.date(row["decided_on"])
        except cells.CellError as error:
            fail("decided_on", str(error))
        if not cells.is_blank(row.get("lifted_on")):
            try:
                values["lifted_on"] = cells.date(row["lifted_on"])
            except cells.CellError as error:
                fail("lifted_on", str(error))
            else:
                if values.get("decided_on") and values["lifted_on"] < values["decided_on"]:
                    fail("lifted_on", _("解除日期早于处分日期"))
        return values

    def key_of(self, values):
        return (values["person_id"], values["decided_on"], values["level"])

    def describe_key(self, values):
        return f"{values['number']} {values['decided_on']}"

    def write(self, tenant, plan):
        DisciplinaryRecord.objects.bulk_create([
            DisciplinaryRecord(tenant=tenant, person_id=v["person_id"], level=v["level"], reason=v["reason"],
                               decided_on=v["decided_on"], document_number=v["document_number"],
                               lifted_on=v["lifted_on"]) for v in plan.new
        ], batch_size=BATCH)
        self._update(plan, lambda names: names)

    def export_rows(self, tenant):
        levels = dict(DisciplineLevel.choices)
        for number, level, decided, reason, document, lifted in DisciplinaryRecord.objects.order_by(
            "person__number", "decided_on"
        ).values_list("person__number", "level", "decided_on", "reason", "document_number", "lifted_on"):
            yield (number, str(levels[level]), decided, reason, document, lifted)


LAYOUTS: dict[str, Layout] = {layout.kind: layout for layout in (
    StudentLayout(), CollegeLayout(), ClassLayout(), RoomLayout(), PositionLayout(), StandingLayout(),
    DisciplineLayout())}
