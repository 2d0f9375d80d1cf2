"""The demo schools: ``hut`` (湖南工业大学: the peer-support alliance of seed 000 and the psych network of
seed 001) and ``jsu`` (吉首大学: the party-member dorm liaison of seed 002), plus the platform admin.

Everything is planned from a seeded ``random.Random`` before it touches the database, and written with
``sync_rows``/``sync_users`` keyed by natural keys (tenant slug, codes, names, student numbers, usernames):
the same plan every run, so a second run changes nothing.

The calendar is the one thing that depends on the day: the terms come from ``members.demo.terms`` (a current
term around ``today``, and the one before it), and every other date of the plan (memberships and roles,
discipline and the year in its document number) is counted from them and from ``today``. Rows with a date are
keyed without it, so a run on a later day moves them to that day's calendar instead of adding a second copy.

Only the demo logins (``PERSONAS``) get a password. Other holders of a role (class teachers, psych
committee members, room informants, student party members…) get an account without a usable password,
activated through a link like any imported person; people without a role get no account at all.
"""

import datetime as dt
import random
from collections import defaultdict, deque
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from members.demo.names import NameGenerator
from members.demo.sync import DemoPassword, sync_rows, sync_users
from members.demo.terms import DemoTerm, TermShape, days_into, demo_terms
from members.models import (
    AcademicStanding,
    DisciplinaryRecord,
    DisciplineLevel,
    Membership,
    Person,
    PersonKind,
    PoliticalStatus,
    Role,
    RoleAssignment,
)
from orgs import services as org_services
from orgs.models import (
    Building,
    College,
    Department,
    Floor,
    Gender,
    Major,
    Organisation,
    OrganisationKind,
    Position,
    PositionCategory,
    Room,
    SchoolClass,
    Tenant,
    Term,
)
from orgs.tenancy import tenant_scope

SEED = "seed_demo-2026"
YEARS = (2023, 2024, 2025, 2026)
PLATFORM_USERNAME = "platform"


@dataclass(frozen=True)
class Persona:
    username: str
    tenant: str  # tenant slug; "" for the platform admin
    title: str
    can: str


PERSONAS: tuple[Persona, ...] = (
    Persona(PLATFORM_USERNAME, "", "平台管理员", "创建学校（租户）、为学校启用模块；默认看不到学校的敏感内容"),
    Persona("hut_admin", "hut", "学校管理员（学生处）", "维护全校结构、账号与角色、导入、政策参数；管理后台只见本校"),
    Persona("hut_office", "hut", "联盟办公室（部长）", "记录会议考勤、打印签到表、会议记录、任务、活动，提交处分"),
    Persona("hut_head", "hut", "宣传部部长", "查看本部门，提出本部门评优"),
    Persona("hut_president", "hut", "联盟总部长（主席团）", "查看全联盟，确认处分，审批酌情加分"),
    Persona("hut_officer", "hut", "活动部干事（无角色）", "查看本人考勤、积分明细与处分"),
    Persona("hut_counsellor", "hut", "计算机学院辅导员（带班）", "提交月度排查，查看所带班级风险汇总，跟进危机个案"),
    Persona("hut_teacher", "hut", "班主任", "报告观察，关注本班；默认看不到危机个案内容"),
    Persona("hut_centre", "hut", "心理健康教育中心", "接收排查，维护心理危机预警库，转介与普查，覆盖全校各学院"),
    Persona("hut_psychcommittee", "hut", "班级心理委员", "向上报告观察，只看到自己报告的内容"),
    Persona("hut_informant", "hut", "寝室信息联络员（寝室长）", "向上报告观察，只看到自己报告的内容"),
    Persona("jsu_admin", "jsu", "学校管理员（学生工作部）", "维护全校结构、账号与角色、导入、政策参数；后台只见本校"),
    Persona("jsu_secretary", "jsu", "外国语学院学生党支部书记", "分配联系寝室，审阅并导出双周反馈表，学期考核"),
    Persona("jsu_partymember", "jsu", "学生党员", "手机记录寝室走访，提交双周反馈表"),
    Persona("jsu_counsellor", "jsu", "外国语学院辅导员", "接收双周反馈表，周二向学院党委汇总"),
    Persona("jsu_committee", "jsu", "外国语学院党委", "接收辅导员的双周汇总"),
    Persona("jsu_student", "jsu", "学生（无角色）", "查看本人记录"),
)
DEMO_USERNAMES = tuple(p.username for p in PERSONAS)


@dataclass(frozen=True)
class MajorSpec:
    code: str
    name: str
    short: str


@dataclass(frozen=True)
class CollegeSpec:
    code: str
    name: str
    female_share: float
    majors: tuple[MajorSpec, ...]


@dataclass(frozen=True)
class BuildingSpec:
    name: str
    gender: str
    floors: int
    rooms_per_floor: int
    capacity: int


# --- the plan: pure functions of the random generator ---


def _plan_students(rng, names, colleges, class_size, status_for):
    """Students of every class (one class per major and enrolment year), numbered ``<year><major><seq>``."""
    students = []
    for college in colleges:
        for major in college.majors:
            for year in YEARS:
                class_name = f"{major.short}{year % 100:02d}01班"
                for seq in range(1, rng.randint(*class_size) + 1):
                    gender = Gender.FEMALE if rng.random() < college.female_share else Gender.MALE
                    students.append({
                        "number": f"{year}{major.code}{seq:03d}",
                        "name": names.name(gender),
                        "gender": gender,
                        "college": college.code,
                        "major": major.code,
                        "class": class_name,
                        "year": year,
                        "political_status": status_for(rng, year),
                        "room": None,
                    })
    return students


def _allocate_rooms(students, buildings):
    """Fill rooms of the student's gender, classmates together: a new room for each class and gender.

    A student for whom no bed is left stays without a room (the plan's buildings are large enough)."""
    free = {Gender.MALE: deque(), Gender.FEMALE: deque()}
    for building in buildings:
        for floor in range(1, building.floors + 1):
            for index in range(1, building.rooms_per_floor + 1):
                free[building.gender].append([(building.name, f"{floor}{index:02d}"), building.capacity])
    ordered = sorted(students, key=lambda s: (s["gender"], s["year"], s["major"], s["number"]))
    current_group = None
    for student in ordered:
        queue = free[student["gender"]]
        group = (student["gender"], student["class"])
        if group != current_group and queue and queue[0][1] < _capacity_of(queue[0][0], buildings):
            queue.popleft()  # the previous class's last room keeps its free beds
        current_group = group
        while queue and queue[0][1] == 0:
            queue.popleft()
        if queue:
            student["room"] = queue[0][0]
            queue[0][1] -= 1


def _capacity_of(room_key, buildings):
    return next(b.capacity for b in buildings if b.name == room_key[0])


def _standing_rows(rng, students, persons, term, school_year):
    """Rank percentile in the major (one class per major and year) and failed courses, for one term of the school
    year beginning in ``school_year`` (students enrolled later were not there)."""
    rows = []
    by_class = defaultdict(list)
    for student in students:
        if student["year"] <= school_year:
            by_class[student["class"]].append(student)
    for members in by_class.values():
        order = list(members)
        rng.shuffle(order)
        for rank, student in enumerate(order, start=1):
            percentile = Decimal(rank * 100 / len(order)).quantize(Decimal("0.01"))
            failed = 0
            if percentile > 85:
                failed = rng.choice((0, 1, 1, 2, 3))
            elif percentile > 60 and rng.random() < 0.1:
                failed = 1
            rows.append({
                "person_id": persons[student["number"]].pk,
                "term_id": term.pk,
                "rank_percentile": percentile,
                "failed_courses": failed,
            })
    return rows


# --- writing the plan ---


def _tenant(slug, name, modules):
    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None:
        return org_services.tenant_create(slug=slug, name=name, modules=modules)
    if tenant.name != name or tenant.modules != sorted(modules) or not tenant.is_active:
        return org_services.tenant_update(tenant=tenant, name=name, modules=modules, is_active=True)
    return tenant


def _terms(tenant, specs: tuple[DemoTerm, ...]) -> list[Term]:
    # Written by sync_rows (bulk, idempotent: a re-run moves the terms it wrote), not term_create; the planned
    # terms get the services' check once instead: they overlap neither each other nor another stored term.
    org_services.terms_check(tenant=tenant, terms=[(t.name, t.start, t.end) for t in specs])
    rows = sync_rows(Term, tenant, "name", [{"name": t.name, "start": t.start, "end": t.end} for t in specs])
    return [rows[t.name] for t in specs]


def _standings(tenant, slug, students, persons, term, spec: DemoTerm):
    """A term's standings from a generator of their own: the plan's other draws do not depend on the day."""
    rng = random.Random(f"{SEED}-{slug}-{spec.name}")
    sync_rows(AcademicStanding, tenant, ("person_id", "term_id"),
              _standing_rows(rng, students, persons, term, spec.school_year))


def _structure(tenant, colleges, buildings):
    college_rows = sync_rows(College, tenant, "code", [{"code": c.code, "name": c.name} for c in colleges])
    majors = sync_rows(Major, tenant, "code", [
        {"code": m.code, "name": m.name, "college_id": college_rows[c.code].pk} for c in colleges for m in c.majors
    ])
    classes = sync_rows(SchoolClass, tenant, "name", [
        {
            "name": f"{m.short}{year % 100:02d}01班", "major_id": majors[m.code].pk,
            "college_id": college_rows[c.code].pk, "enrolment_year": year,
        }
        for c in colleges for m in c.majors for year in YEARS
    ])
    building_rows = sync_rows(Building, tenant, "name", [{"name": b.name} for b in buildings])
    floors = sync_rows(Floor, tenant, ("building_id", "number"), [
        {"building_id": building_rows[b.name].pk, "number": n} for b in buildings for n in range(1, b.floors + 1)
    ])
    rooms = sync_rows(Room, tenant, ("building_id", "number"), [
        {
            "building_id": building_rows[b.name].pk,
            "floor_id": floors[(building_rows[b.name].pk, floor)].pk,
            "number": f"{floor}{index:02d}", "gender": b.gender, "capacity": b.capacity,
        }
        for b in buildings for floor in range(1, b.floors + 1) for index in range(1, b.rooms_per_floor + 1)
    ])
    building_names = {building_rows[b.name].pk: b.name for b in buildings}
    rooms_by_name = {(building_names[building_id], number): room for (building_id, number), room in rooms.items()}
    return college_rows, majors, classes, rooms_by_name


def _people(tenant, students, staff, colleges, majors, classes, rooms):
    rows = []
    for s in students:
        rows.append({
            "number": s["number"], "name": s["name"], "kind": PersonKind.STUDENT, "gender": s["gender"],
            "college_id": colleges[s["college"]].pk, "major_id": majors[s["major"]].pk,
            "school_class_id": classes[s["class"]].pk, "enrolment_year": s["year"],
            "room_id": rooms[s["room"]].pk if s["room"] else None, "political_status": s["political_status"],
        })
    for s in staff:
        rows.append({
            "number": s["number"], "name": s["name"], "kind": PersonKind.STAFF, "gender": s["gender"],
            "college_id": colleges[s["college"]].pk if s.get("college") else None, "major_id": None,
            "school_class_id": None, "enrolment_year": None, "room_id": None,
            "political_status": s.get("political_status", PoliticalStatus.MASSES),
        })
    return sync_rows(Person, tenant, "number", rows)


class _Accounts:
    """The users of one tenant: demo logins first, then one account per other holder of a role."""

    def __init__(self, slug):
        self.slug = slug
        self.specs: dict[str, dict] = {}
        self.username_of: dict[str, str] = {}  # person number -> username
        self.roles: list[tuple[str, str, dict]] = []

    def demo(self, username, person, *, is_staff=False):
        assert person.number not in self.username_of, f"{username}: person already has an account"
        self.username_of[person.number] = username
        self.specs[username] = {"person_id": person.pk, "is_staff": is_staff, "demo": True}
        return username

    def of(self, person):
        username = self.username_of.get(person.number)
        if username is None:
            username = f"{self.slug}-{person.number}"
            self.username_of[person.number] = username
            self.specs[username] = {"person_id": person.pk, "is_staff": False, "demo": False}
        return username

    def grant(self, person, role, **scope):
        self.roles.append((self.of(person), role, {f"{k}_id": v.pk for k, v in scope.items()}))

    def write(self, tenant, demo_password, start):
        users = sync_users(tenant, self.specs, demo_password)
        rows = []
        for username, role, scope in self.roles:
            row = dict.fromkeys(("college_id", "school_class_id", "organisation_id", "department_id", "room_id"))
            row.update(scope)
            rows.append({"user_id": users[username].pk, "role": role, **row, "start": start, "end": None})
        key = ("user_id", "role", "college_id", "school_class_id", "organisation_id", "department_id", "room_id")
        sync_rows(RoleAssignment, tenant, key, rows)  # not keyed on ``start``: a later run moves it
        return users


def _staff(names, rng, count_from, specs):
    """Staff people numbered T0001…: ``specs`` are dicts with at least a ``key``; adds number, name, gender."""
    staff = []
    for offset, spec in enumerate(specs):
        gender = rng.choice((Gender.MALE, Gender.FEMALE))
        staff.append({**spec, "number": f"T{count_from + offset:04d}", "name": names.name(gender), "gender": gender})
    return staff


MEMBERSHIP_KEY = ("person_id", "organisation_id", "position_id")  # not the dates: a later run moves them
DISCIPLINE_KEY = ("reason",)  # one record per reason, whoever was drawn and whenever it was decided


def _membership_rows(entries):
    return [
        {
            "person_id": person.pk, "organisation_id": org.pk, "department_id": dept.pk if dept else None,
            "position_id": position.pk, "term_id": term.pk, "start": start, "end": end, "end_reason": reason,
        }
        for person, org, dept, position, term, start, end, reason in entries
    ]


def _sample(rng, pool, k, taken):
    chosen = rng.sample([s for s in pool if s["number"] not in taken], k)
    taken.update(s["number"] for s in chosen)
    return chosen


# --- 湖南工业大学 ---

HUT_COLLEGES = (
    CollegeSpec("C01", "计算机学院", 0.3, (
        MajorSpec("0101", "计算机科学与技术", "计科"), MajorSpec("0102", "软件工程", "软工"))),
    CollegeSpec("C02", "机械工程学院", 0.15, (
        MajorSpec("0201", "机械设计制造及其自动化", "机设"), MajorSpec("0202", "车辆工程", "车辆"))),
    CollegeSpec("C03", "商学院", 0.65, (
        MajorSpec("0301", "会计学", "会计"), MajorSpec("0302", "市场营销", "营销"))),
    CollegeSpec("C04", "包装设计艺术学院", 0.6, (
        MajorSpec("0401", "视觉传达设计", "视传"), MajorSpec("0402", "产品设计", "产设"))),
)
HUT_BUILDINGS = (
    BuildingSpec("学生公寓1栋", Gender.MALE, 5, 10, 4),
    BuildingSpec("学生公寓2栋", Gender.MALE, 5, 10, 4),
    BuildingSpec("学生公寓3栋", Gender.FEMALE, 5, 10, 4),
    BuildingSpec("学生公寓4栋", Gender.FEMALE, 5, 10, 4),
)
HUT_TERMS = TermShape(autumn=(0, 132), spring=(0, 132))  # from the anchor Monday to a Sunday 19 weeks on
ALLIANCE_NAME = "朋辈互助联盟"
ALLIANCE_DEPARTMENTS = ("主席团", "办公室", "宣传部", "活动部", "培训部", "外联部")
ALLIANCE_POSITIONS = (
    ("总部长", PositionCategory.CADRE, 10),
    ("副总部长", PositionCategory.CADRE, 20),
    ("部长", PositionCategory.CADRE, 30),
    ("副部长", PositionCategory.CADRE, 40),
    ("干事", PositionCategory.OFFICER, 90),
)


def _hut_status(rng, year):
    roll = rng.random()
    if year <= 2024 and roll < 0.03:
        return PoliticalStatus.PARTY_MEMBER
    if year <= 2024 and roll < 0.05:
        return PoliticalStatus.PROBATIONARY
    if roll < 0.12:
        return PoliticalStatus.ACTIVIST
    return PoliticalStatus.LEAGUE if roll < 0.9 else PoliticalStatus.MASSES


@transaction.atomic
def seed_hut(demo_password: DemoPassword, today: dt.date) -> Tenant:
    rng = random.Random(f"{SEED}-hut")
    names = NameGenerator(rng)
    students = _plan_students(rng, names, HUT_COLLEGES, (10, 14), _hut_status)
    _allocate_rooms(students, HUT_BUILDINGS)
    class_colleges = {f"{m.short}{y % 100:02d}01班": c.code for c in HUT_COLLEGES for m in c.majors for y in YEARS}
    class_names = list(class_colleges)
    staff = _staff(names, rng, 1, [
        {"key": "admin"}, {"key": "centre"}, {"key": "centre2"},
        *({"key": f"counsellor:{c.code}", "college": c.code} for c in HUT_COLLEGES),
        *({"key": f"teacher:{name}", "college": code} for name, code in class_colleges.items()),
    ])
    staff_by_key = {s["key"]: s for s in staff}

    tenant = _tenant("hut", "湖南工业大学", ["alliance", "psych_network"])
    with tenant_scope(tenant):
        previous_spec, current_spec = demo_terms(today, HUT_TERMS)
        previous, current = _terms(tenant, (previous_spec, current_spec))
        colleges, majors, classes, rooms = _structure(tenant, HUT_COLLEGES, HUT_BUILDINGS)
        persons = _people(tenant, students, staff, colleges, majors, classes, rooms)

        def person(entry):
            return persons[entry["number"]]

        # The alliance (seed 000): presidium of three, five departments of a head, a deputy and officers.
        alliance = sync_rows(Organisation, tenant, "name", [
            {"name": ALLIANCE_NAME, "kind": OrganisationKind.ALLIANCE, "parent_id": None, "college_id": None}
        ])[ALLIANCE_NAME]
        departments = sync_rows(Department, tenant, ("organisation_id", "name"), [
            {"organisation_id": alliance.pk, "name": name, "is_presidium": index == 0, "order": index}
            for index, name in enumerate(ALLIANCE_DEPARTMENTS)
        ])
        dept = {name: departments[(alliance.pk, name)] for name in ALLIANCE_DEPARTMENTS}
        positions = sync_rows(Position, tenant, ("organisation_id", "name"), [
            {"organisation_id": alliance.pk, "name": n, "category": c, "rank": r} for n, c, r in ALLIANCE_POSITIONS
        ])
        post = {name: positions[(alliance.pk, name)] for name, _c, _r in ALLIANCE_POSITIONS}

        by_year = defaultdict(list)
        for s in students:
            by_year[s["year"]].append(s)
        taken: set[str] = set()
        presidium = _sample(rng, by_year[2023], 3, taken)
        heads = _sample(rng, by_year[2024], 5, taken)
        deputies = _sample(rng, by_year[2024] + by_year[2025], 5, taken)
        officers = {name: _sample(rng, by_year[2025] + by_year[2026], rng.randint(5, 8), taken)
                    for name in ALLIANCE_DEPARTMENTS[1:]}
        start = current.start
        entries = [
            (person(s), alliance, dept["主席团"], post["总部长" if i == 0 else "副总部长"], current, start, None, "")
            for i, s in enumerate(presidium)
        ]
        for index, name in enumerate(ALLIANCE_DEPARTMENTS[1:]):
            entries.append((person(heads[index]), alliance, dept[name], post["部长"], current, start, None, ""))
            entries.append((person(deputies[index]), alliance, dept[name], post["副部长"], current, start, None, ""))
            entries += [(person(s), alliance, dept[name], post["干事"], current, start, None, "")
                        for s in officers[name]]
            # History (OR-3): last term this head was an officer of the same department.
            entries.append((person(heads[index]), alliance, dept[name], post["干事"], previous, previous.start,
                            previous.end, "换届：任部长"))
        leaver = _sample(rng, by_year[2025], 1, taken)[0]
        entries.append((person(leaver), alliance, dept["外联部"], post["干事"], current, start,
                        days_into(current_spec, today, 46), "个人原因退出"))
        sync_rows(Membership, tenant, MEMBERSHIP_KEY, _membership_rows(entries))

        accounts = _Accounts("hut")
        accounts.demo("hut_admin", person(staff_by_key["admin"]), is_staff=True)
        accounts.grant(person(staff_by_key["admin"]), Role.TENANT_ADMIN)
        accounts.demo("hut_president", person(presidium[0]))
        accounts.grant(person(presidium[0]), Role.PRESIDENT, organisation=alliance)
        accounts.demo("hut_office", person(heads[0]))
        accounts.grant(person(heads[0]), Role.OFFICE, organisation=alliance)
        accounts.demo("hut_head", person(heads[1]))
        accounts.grant(person(heads[1]), Role.DEPARTMENT_HEAD, department=dept["宣传部"])
        accounts.demo("hut_officer", person(officers["活动部"][0]))

        # The psych network (seed 001): centre → college counsellors → class teachers and psych committee
        # members → room informants, each a role from the start of the term.
        accounts.demo("hut_centre", person(staff_by_key["centre"]))
        for key in ("centre", "centre2"):
            accounts.grant(person(staff_by_key[key]), Role.CENTRE_STAFF)
        for college in HUT_COLLEGES:
            counsellor = person(staff_by_key[f"counsellor:{college.code}"])
            if college.code == "C01":  # a counsellor of classes; the others counsel a whole college
                accounts.demo("hut_counsellor", counsellor)
                for name in class_names:
                    if classes[name].college_id == colleges["C01"].pk:
                        accounts.grant(counsellor, Role.COUNSELLOR, school_class=classes[name])
            else:
                accounts.grant(counsellor, Role.COUNSELLOR, college=colleges[college.code])
        demo_people = {s["number"] for s in (presidium[0], heads[0], heads[1], officers["活动部"][0])}
        by_class = defaultdict(list)
        for s in students:
            by_class[s["class"]].append(s)
        committee = {}
        for index, name in enumerate(class_names):
            teacher = person(staff_by_key[f"teacher:{name}"])
            if index == 0:
                accounts.demo("hut_teacher", teacher)
            accounts.grant(teacher, Role.CLASS_TEACHER, school_class=classes[name])
            member = rng.choice([s for s in by_class[name] if s["number"] not in demo_people])
            committee[name] = member
            if index == 0:
                accounts.demo("hut_psychcommittee", person(member))
                demo_people.add(member["number"])
            accounts.grant(person(member), Role.PSYCH_COMMITTEE, school_class=classes[name])
        committee_numbers = {s["number"] for s in committee.values()}
        residents = defaultdict(list)
        for s in students:
            if s["room"]:
                residents[s["room"]].append(s)
        informant_demo = False
        for room_key in sorted(residents):
            pool = [s for s in residents[room_key] if s["number"] not in demo_people]
            if not pool:
                continue
            preferred = [s for s in pool if s["number"] not in committee_numbers]
            informant = rng.choice(preferred or pool)
            if not informant_demo and informant["number"] not in committee_numbers:
                accounts.demo("hut_informant", person(informant))
                informant_demo = True
            accounts.grant(person(informant), Role.ROOM_INFORMANT, room=rooms[room_key])
        accounts.write(tenant, demo_password, current.start)

        # College psych stations (二级心理辅导站): the counsellor leads, the class psych committee members serve.
        stations = sync_rows(Organisation, tenant, "name", [
            {"name": f"{c.name}心理辅导站", "kind": OrganisationKind.PSYCH_STATION, "parent_id": None,
             "college_id": colleges[c.code].pk}
            for c in HUT_COLLEGES
        ])
        station_posts = sync_rows(Position, tenant, ("organisation_id", "name"), [
            {"organisation_id": org.pk, "name": n, "category": cat, "rank": r}
            for org in stations.values()
            for n, cat, r in (("站长", PositionCategory.CADRE, 10), ("心理委员", PositionCategory.OFFICER, 90))
        ])
        station_entries = []
        for college in HUT_COLLEGES:
            org = stations[f"{college.name}心理辅导站"]
            station_entries.append((person(staff_by_key[f"counsellor:{college.code}"]), org, None,
                                    station_posts[(org.pk, "站长")], current, start, None, ""))
            for member in committee.values():
                if member["college"] == college.code:
                    station_entries.append((person(member), org, None, station_posts[(org.pk, "心理委员")],
                                            current, start, None, ""))
        sync_rows(Membership, tenant, MEMBERSHIP_KEY, _membership_rows(station_entries))

        _standings(tenant, "hut", students, persons, previous, previous_spec)
        offenders = _sample(rng, by_year[2024] + by_year[2025], 2, taken | demo_people | committee_numbers)
        warned, exam = days_into(current_spec, today, 51), previous_spec.end - dt.timedelta(days=5)
        sync_rows(DisciplinaryRecord, tenant, DISCIPLINE_KEY, [
            {"person_id": person(offenders[0]).pk, "level": DisciplineLevel.WARNING,
             "reason": "在寝室违规使用大功率电器", "decided_on": warned,
             "document_number": f"湖工大学发〔{warned.year}〕57号", "lifted_on": None},
            {"person_id": person(offenders[1]).pk, "level": DisciplineLevel.DEMERIT,
             "reason": "期末考试违纪", "decided_on": exam,
             "document_number": f"湖工大学发〔{exam.year}〕31号", "lifted_on": None},
        ])
    return tenant


# --- 吉首大学 ---

JSU_COLLEGES = (
    CollegeSpec("W01", "外国语学院", 0.78, (
        MajorSpec("0501", "英语", "英语"), MajorSpec("0502", "翻译", "翻译"), MajorSpec("0503", "商务英语", "商英"))),
)
JSU_BUILDINGS = (
    BuildingSpec("砂子坳公寓A栋", Gender.FEMALE, 4, 10, 4),
    BuildingSpec("砂子坳公寓B栋", Gender.FEMALE, 4, 10, 4),
    BuildingSpec("砂子坳公寓C栋", Gender.MALE, 3, 10, 4),
)
JSU_TERMS = TermShape(autumn=(-6, 130), spring=(7, 137))  # from the Tuesday before / Monday after hut's; to a Friday
BRANCH_NAME = "外国语学院学生党支部"
BRANCH_POSITIONS = (
    ("书记", PositionCategory.CADRE, 10),
    ("组织委员", PositionCategory.CADRE, 20),
    ("宣传委员", PositionCategory.CADRE, 30),
    ("正式党员", PositionCategory.OFFICER, 50),
    ("预备党员", PositionCategory.OFFICER, 60),
    ("发展对象", PositionCategory.OFFICER, 70),
)
BRANCH_POST_OF_STATUS = {
    PoliticalStatus.PARTY_MEMBER: "正式党员",
    PoliticalStatus.PROBATIONARY: "预备党员",
    PoliticalStatus.DEVELOPMENT: "发展对象",
}


def _jsu_status(rng, year):
    roll = rng.random()
    party, probationary, development, activist = {
        2023: (0.05, 0.02, 0.03, 0.10), 2024: (0.02, 0.02, 0.03, 0.12),
        2025: (0.0, 0.0, 0.01, 0.10), 2026: (0.0, 0.0, 0.0, 0.05),
    }[year]
    for status, share in ((PoliticalStatus.PARTY_MEMBER, party), (PoliticalStatus.PROBATIONARY, probationary),
                          (PoliticalStatus.DEVELOPMENT, development), (PoliticalStatus.ACTIVIST, activist)):
        if roll < share:
            return status
        roll -= share
    return PoliticalStatus.LEAGUE if roll < 0.75 else PoliticalStatus.MASSES


@transaction.atomic
def seed_jsu(demo_password: DemoPassword, today: dt.date) -> Tenant:
    rng = random.Random(f"{SEED}-jsu")
    names = NameGenerator(rng)
    students = _plan_students(rng, names, JSU_COLLEGES, (22, 28), _jsu_status)
    _allocate_rooms(students, JSU_BUILDINGS)
    staff = _staff(names, rng, 1, [
        {"key": "admin"},
        {"key": "counsellor", "college": "W01", "political_status": PoliticalStatus.PARTY_MEMBER},
        {"key": "committee", "college": "W01", "political_status": PoliticalStatus.PARTY_MEMBER},
        {"key": "secretary", "college": "W01", "political_status": PoliticalStatus.PARTY_MEMBER},
    ])
    staff_by_key = {s["key"]: s for s in staff}

    tenant = _tenant("jsu", "吉首大学", ["dormlink"])
    with tenant_scope(tenant):
        previous_spec, current_spec = demo_terms(today, JSU_TERMS)
        previous, current = _terms(tenant, (previous_spec, current_spec))
        colleges, majors, classes, rooms = _structure(tenant, JSU_COLLEGES, JSU_BUILDINGS)
        persons = _people(tenant, students, staff, colleges, majors, classes, rooms)

        def person(entry):
            return persons[entry["number"]]

        branch = sync_rows(Organisation, tenant, "name", [
            {"name": BRANCH_NAME, "kind": OrganisationKind.PARTY_BRANCH, "parent_id": None,
             "college_id": colleges["W01"].pk}
        ])[BRANCH_NAME]
        positions = sync_rows(Position, tenant, ("organisation_id", "name"), [
            {"organisation_id": branch.pk, "name": n, "category": c, "rank": r} for n, c, r in BRANCH_POSITIONS
        ])
        post = {name: positions[(branch.pk, name)] for name, _c, _r in BRANCH_POSITIONS}
        start = current.start

        # Student party members and development objects (seed 002): branch members who link dorms.
        liaisons = [s for s in students if s["political_status"] in BRANCH_POST_OF_STATUS]
        seniors = [s for s in liaisons if s["political_status"] == PoliticalStatus.PARTY_MEMBER]
        seniors.sort(key=lambda s: (s["year"], s["number"]))
        committee_members = {seniors[0]["number"]: "组织委员", seniors[1]["number"]: "宣传委员"}
        entries = [(person(staff_by_key["secretary"]), branch, None, post["书记"], current, start, None, "")]
        for s in liaisons:
            title = committee_members.get(s["number"], BRANCH_POST_OF_STATUS[s["political_status"]])
            entries.append((person(s), branch, None, post[title], current, start, None, ""))
        sync_rows(Membership, tenant, MEMBERSHIP_KEY, _membership_rows(entries))

        accounts = _Accounts("jsu")
        accounts.demo("jsu_admin", person(staff_by_key["admin"]), is_staff=True)
        accounts.grant(person(staff_by_key["admin"]), Role.TENANT_ADMIN)
        accounts.demo("jsu_counsellor", person(staff_by_key["counsellor"]))
        accounts.grant(person(staff_by_key["counsellor"]), Role.COUNSELLOR, college=colleges["W01"])
        accounts.demo("jsu_committee", person(staff_by_key["committee"]))
        accounts.grant(person(staff_by_key["committee"]), Role.COLLEGE_PARTY_COMMITTEE, college=colleges["W01"])
        accounts.demo("jsu_secretary", person(staff_by_key["secretary"]))
        accounts.grant(person(staff_by_key["secretary"]), Role.BRANCH_SECRETARY, organisation=branch)
        accounts.demo("jsu_partymember", person(seniors[2]))
        for s in liaisons:
            accounts.grant(person(s), Role.PARTY_MEMBER, organisation=branch)
        ordinary = [s for s in students if s["year"] == 2025 and s["room"]
                    and s["political_status"] == PoliticalStatus.LEAGUE]
        accounts.demo("jsu_student", person(ordinary[0]))
        accounts.write(tenant, demo_password, current.start)

        _standings(tenant, "jsu", students, persons, previous, previous_spec)
        offender = rng.choice([s for s in ordinary[1:] if s["number"] not in accounts.username_of])
        warned = days_into(current_spec, today, 57)
        sync_rows(DisciplinaryRecord, tenant, DISCIPLINE_KEY, [
            {"person_id": person(offender).pk, "level": DisciplineLevel.WARNING, "reason": "夜不归宿",
             "decided_on": warned, "document_number": f"吉大学发〔{warned.year}〕88号", "lifted_on": None},
        ])
    return tenant


@transaction.atomic
def seed_platform(demo_password: DemoPassword) -> None:
    sync_users(None, {PLATFORM_USERNAME: {"is_staff": True, "is_platform_admin": True, "demo": True}},
               demo_password)


def seed_all(raw_password: str, today: dt.date) -> None:
    """The platform admin and both schools, with their calendars around ``today``."""
    demo_password = DemoPassword(raw_password, DEMO_USERNAMES)
    seed_platform(demo_password)
    seed_hut(demo_password, today)
    seed_jsu(demo_password, today)
