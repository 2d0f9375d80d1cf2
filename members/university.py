"""A synthetic university for benchmarks (issue 3, item 4): what ``manage.py seed_university`` builds.

Two kinds of functions:

* **Plans**, pure functions of their arguments. ``plan_structure(students, seed)`` decides colleges, majors,
  classes, buildings, floors, rooms and every student's *seat* (number, gender, class, room);
  ``plan_terms(today)`` the previous and the current term; ``plan_organisations(structure)`` the organisations
  with their departments and positions; ``plan_people(...)`` names, political statuses, academic standing,
  discipline and memberships. The structure and the people draw from two separate seeded generators, so the
  structure is the same whether or not people are created (``--structure-only`` builds an empty import target
  that accepts a roster exported from a full run with the same size and seed).
* ``write_university(...)`` writes a plan with ``bulk_create`` only (no ``save()``, no accounts, no password
  hashing), inside one transaction and the tenant's scope. ``seed_university(...)`` is the whole command:
  create the tenant, or reuse it when it already holds exactly this university, or refuse.

Names come from ``members.demo.names.NameGenerator``: never a real name of seed 000.
"""

import datetime as dt
import math
import random
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum

from members.demo.names import NameGenerator
from members.demo.schools import (
    ALLIANCE_DEPARTMENTS,
    ALLIANCE_NAME,
    ALLIANCE_POSITIONS,
    BRANCH_POSITIONS,
    BRANCH_POST_OF_STATUS,
)
from members.models import (
    AcademicStanding,
    DisciplinaryRecord,
    DisciplineLevel,
    Membership,
    Person,
    PersonKind,
    PoliticalStatus,
)
from orgs import services as org_services
from orgs.calendar import monday_of
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
from orgs.modules import MODULES
from orgs.tenancy import tenant_scope

DEFAULT_SEED = 2026
YEARS = (2022, 2023, 2024, 2025)
CLASS_MIN, CLASS_MAX, CLASS_TARGET = 30, 50, 40
MIN_COLLEGES, STUDENTS_PER_COLLEGE = 20, 1500
MAJORS_PER_COLLEGE = (3, 5)
ROOMS_PER_BUILDING = 110  # 5–6 floors of about 20 rooms
FLOOR_CHOICES = (5, 6)
SIX_BED_SHARE = 0.15
SPARE_ROOMS = 0.03
BATCH_SIZE = 2000

# --- the catalogue: real-sounding colleges, each with its majors (name, abbreviation) and share of women ---

COLLEGES: tuple[tuple[str, float, tuple[tuple[str, str], ...]], ...] = (
    ("计算机科学与技术学院", 0.28, (("计算机科学与技术", "计科"), ("软件工程", "软工"), ("网络工程", "网工"),
                                  ("信息安全", "信安"), ("数据科学与大数据技术", "大数据"))),
    ("外国语学院", 0.80, (("英语", "英语"), ("日语", "日语"), ("翻译", "翻译"), ("商务英语", "商英"),
                         ("俄语", "俄语"))),
    ("机械工程学院", 0.12, (("机械设计制造及其自动化", "机设"), ("车辆工程", "车辆"), ("机械电子工程", "机电"),
                           ("工业设计", "工设"), ("材料成型及控制工程", "材控"))),
    ("电气与信息工程学院", 0.20, (("电气工程及其自动化", "电气"), ("自动化", "自动化"), ("电子信息工程", "电信"),
                                 ("通信工程", "通信"), ("测控技术与仪器", "测控"))),
    ("土木工程学院", 0.20, (("土木工程", "土木"), ("工程管理", "工管"), ("给排水科学与工程", "给排"),
                           ("建筑环境与能源应用工程", "建环"), ("道路桥梁与渡河工程", "道桥"))),
    ("建筑与城乡规划学院", 0.48, (("建筑学", "建筑"), ("城乡规划", "城规"), ("风景园林", "风景"),
                                 ("环境设计", "环设"), ("历史建筑保护工程", "历建"))),
    ("经济与贸易学院", 0.62, (("经济学", "经济"), ("国际经济与贸易", "国贸"), ("金融学", "金融"),
                             ("财政学", "财政"), ("投资学", "投资"))),
    ("商学院", 0.66, (("工商管理", "工商"), ("会计学", "会计"), ("财务管理", "财管"), ("市场营销", "营销"),
                     ("人力资源管理", "人资"))),
    ("法学院", 0.60, (("法学", "法学"), ("知识产权", "知产"), ("社会工作", "社工"), ("政治学与行政学", "政行"),
                     ("社会学", "社会"))),
    ("文学与新闻传播学院", 0.72, (("汉语言文学", "汉语言"), ("新闻学", "新闻"), ("广告学", "广告"),
                                 ("网络与新媒体", "新媒体"), ("秘书学", "秘书"))),
    ("马克思主义学院", 0.62, (("思想政治教育", "思政"), ("哲学", "哲学"), ("马克思主义理论", "马理"),
                             ("中国共产党历史", "党史"), ("科学社会主义", "科社"))),
    ("数学与统计学院", 0.45, (("数学与应用数学", "数学"), ("信息与计算科学", "信计"), ("统计学", "统计"),
                             ("应用统计学", "应统"), ("金融数学", "金数"))),
    ("物理与电子科学学院", 0.30, (("物理学", "物理"), ("应用物理学", "应物"), ("光电信息科学与工程", "光电"),
                                 ("电子科学与技术", "电科"), ("微电子科学与工程", "微电"))),
    ("化学化工学院", 0.45, (("化学", "化学"), ("应用化学", "应化"), ("化学工程与工艺", "化工"),
                           ("制药工程", "制药"), ("高分子材料与工程", "高分子"))),
    ("生命科学学院", 0.60, (("生物科学", "生科"), ("生物技术", "生技"), ("生物工程", "生工"), ("生态学", "生态"),
                           ("食品科学与工程", "食品"))),
    ("材料科学与工程学院", 0.30, (("材料科学与工程", "材料"), ("金属材料工程", "金材"),
                                 ("无机非金属材料工程", "无机"), ("新能源材料与器件", "新材"),
                                 ("复合材料与工程", "复材"))),
    ("交通运输学院", 0.30, (("交通运输", "交运"), ("交通工程", "交工"), ("物流工程", "物流"),
                           ("轨道交通信号与控制", "轨道"), ("载运工具运用工程", "载运"))),
    ("资源与环境学院", 0.45, (("环境工程", "环工"), ("环境科学", "环科"), ("地理信息科学", "地信"),
                             ("测绘工程", "测绘"), ("资源环境科学", "资环"))),
    ("美术与设计学院", 0.68, (("视觉传达设计", "视传"), ("产品设计", "产设"), ("美术学", "美术"),
                             ("绘画", "绘画"), ("数字媒体艺术", "数媒"))),
    ("音乐舞蹈学院", 0.72, (("音乐学", "音乐"), ("音乐表演", "音表"), ("舞蹈学", "舞蹈"), ("舞蹈表演", "舞表"),
                           ("录音艺术", "录音"))),
    ("体育学院", 0.30, (("体育教育", "体教"), ("运动训练", "运训"), ("社会体育指导与管理", "社体"),
                       ("休闲体育", "休体"), ("运动康复", "运康"))),
    ("教育科学学院", 0.82, (("教育学", "教育"), ("学前教育", "学前"), ("小学教育", "小教"), ("心理学", "心理"),
                           ("应用心理学", "应心"))),
    ("医学院", 0.62, (("临床医学", "临床"), ("护理学", "护理"), ("预防医学", "预防"), ("医学检验技术", "医检"),
                     ("康复治疗学", "康复"))),
    ("药学院", 0.66, (("药学", "药学"), ("中药学", "中药"), ("药物制剂", "药剂"), ("临床药学", "临药"),
                     ("药物分析", "药分"))),
    ("历史文化与旅游学院", 0.62, (("历史学", "历史"), ("旅游管理", "旅管"), ("文化产业管理", "文产"),
                                 ("酒店管理", "酒管"), ("会展经济与管理", "会展"))),
    ("公共管理学院", 0.60, (("行政管理", "行管"), ("公共事业管理", "公管"), ("劳动与社会保障", "劳保"),
                           ("土地资源管理", "土管"), ("城市管理", "城管"))),
    ("农学院", 0.42, (("农学", "农学"), ("园艺", "园艺"), ("植物保护", "植保"), ("茶学", "茶学"),
                     ("种子科学与工程", "种子"))),
    ("人工智能学院", 0.25, (("人工智能", "人智"), ("智能科学与技术", "智科"), ("机器人工程", "机器人"),
                           ("物联网工程", "物联网"), ("智能制造工程", "智造"))),
    ("能源与动力工程学院", 0.15, (("能源与动力工程", "能动"), ("新能源科学与工程", "新能"),
                                 ("核工程与核技术", "核工"), ("储能科学与工程", "储能"), ("飞行器动力工程", "飞动"))),
    ("包装与印刷学院", 0.50, (("包装工程", "包装"), ("印刷工程", "印刷"), ("数字出版", "数出"),
                             ("编辑出版学", "编辑"), ("包装设计", "包设"))),
    ("国际教育学院", 0.58, (("汉语国际教育", "汉教"), ("国际商务", "国商"), ("国际事务与国际关系", "国关"),
                           ("外交学", "外交"), ("阿拉伯语", "阿语"))),
    ("海洋与水产学院", 0.40, (("海洋科学", "海科"), ("水产养殖学", "水产"), ("海洋技术", "海技"),
                             ("船舶与海洋工程", "船海"), ("港口航道与海岸工程", "港航"))),
)
#: More colleges than the catalogue (about N/1500 when N is large): the same colleges on another campus.
CAMPUSES = (("南校区", "南"), ("北校区", "北"), ("东校区", "东"), ("西校区", "西"), ("新校区", "新"))
BUILDING_AREAS = {
    Gender.MALE: ("桃李苑", "松柏苑", "梧桐苑", "翠竹苑"),
    Gender.FEMALE: ("芙蓉苑", "丁香苑", "紫荆苑", "玉兰苑"),
}

SCHOOL_UNION_NAME = "校学生会"
SCHOOL_UNION_DEPARTMENTS = ("秘书处", "文体部", "权益部", "学习部", "新闻传媒部", "心理部")
COLLEGE_UNION_DEPARTMENTS = ("办公室", "学习部", "文体部", "权益部")
UNION_POSITIONS = (
    ("主席", PositionCategory.CADRE, 10),
    ("副主席", PositionCategory.CADRE, 20),
    ("部长", PositionCategory.CADRE, 30),
    ("副部长", PositionCategory.CADRE, 40),
    ("干事", PositionCategory.OFFICER, 90),
)

#: Political status shares by enrolment year (the older the cohort, the more party members): exact quotas.
STATUS_SHARES = {
    2022: {PoliticalStatus.PARTY_MEMBER: 0.085, PoliticalStatus.PROBATIONARY: 0.02,
           PoliticalStatus.DEVELOPMENT: 0.02, PoliticalStatus.ACTIVIST: 0.10, PoliticalStatus.MASSES: 0.08},
    2023: {PoliticalStatus.PARTY_MEMBER: 0.05, PoliticalStatus.PROBATIONARY: 0.02,
           PoliticalStatus.DEVELOPMENT: 0.03, PoliticalStatus.ACTIVIST: 0.12, PoliticalStatus.MASSES: 0.10},
    2024: {PoliticalStatus.PARTY_MEMBER: 0.015, PoliticalStatus.PROBATIONARY: 0.015,
           PoliticalStatus.DEVELOPMENT: 0.02, PoliticalStatus.ACTIVIST: 0.12, PoliticalStatus.MASSES: 0.12},
    2025: {PoliticalStatus.DEVELOPMENT: 0.005, PoliticalStatus.ACTIVIST: 0.08, PoliticalStatus.MASSES: 0.15},
}  # the rest are league members
FAILING_SHARE = 0.08
FAILED_COURSES = ((1, 6), (2, 3), (3, 1))  # (number of failed courses, weight)
DISCIPLINE_SHARE = 0.005
DISCIPLINE_LEVELS = ((DisciplineLevel.WARNING, 50), (DisciplineLevel.SERIOUS_WARNING, 25),
                     (DisciplineLevel.DEMERIT, 15), (DisciplineLevel.PROBATION, 10))
DISCIPLINE_REASONS = ("在寝室违规使用大功率电器", "考试违纪", "夜不归宿", "旷课累计超过规定学时", "在寝室吸烟",
                      "代替他人考勤", "饮酒滋事", "违规留宿外来人员")


# --- plans ---


@dataclass(frozen=True)
class MajorPlan:
    code: str
    name: str
    short: str
    weight: float


@dataclass(frozen=True)
class CollegePlan:
    code: str
    name: str
    female_share: float
    majors: tuple[MajorPlan, ...]


@dataclass(frozen=True)
class ClassPlan:
    name: str
    college: int  # index into Structure.colleges
    major: int  # index into that college's majors
    year: int
    size: int


@dataclass(frozen=True)
class BuildingPlan:
    name: str
    gender: str
    floors: int
    rooms_per_floor: int


@dataclass(frozen=True)
class RoomPlan:
    building: int  # index into Structure.buildings
    floor: int
    number: str
    gender: str
    capacity: int


@dataclass(frozen=True)
class SeatPlan:
    """What the structure decides about a student: number, gender, class and room (indexes)."""

    number: str
    gender: str
    school_class: int
    room: int


@dataclass(frozen=True)
class Structure:
    students: int
    seed: int
    colleges: tuple[CollegePlan, ...]
    classes: tuple[ClassPlan, ...]
    buildings: tuple[BuildingPlan, ...]
    rooms: tuple[RoomPlan, ...]
    seats: tuple[SeatPlan, ...]

    def major_of(self, school_class: ClassPlan) -> MajorPlan:
        return self.colleges[school_class.college].majors[school_class.major]


@dataclass(frozen=True)
class TermPlan:
    name: str
    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class OrganisationPlan:
    name: str
    kind: str
    parent: str | None = None
    college: int | None = None  # index into Structure.colleges
    departments: tuple[tuple[str, bool], ...] = ()  # (name, is_presidium)
    positions: tuple[tuple[str, str, int], ...] = ()  # (name, category, rank)


@dataclass(frozen=True)
class DisciplinePlan:
    seat: int
    level: str
    reason: str
    decided_on: dt.date
    document_number: str


@dataclass(frozen=True)
class MembershipPlan:
    seat: int
    organisation: str
    department: str | None
    position: str


@dataclass(frozen=True)
class People:
    names: tuple[str, ...]
    statuses: tuple[str, ...]
    standings: tuple[tuple[Decimal, int], ...]  # (rank percentile, failed courses) per seat, previous term
    discipline: tuple[DisciplinePlan, ...]
    memberships: tuple[MembershipPlan, ...]


def college_count(students: int) -> int:
    return max(MIN_COLLEGES, round(students / STUDENTS_PER_COLLEGE))


def class_count(students: int) -> int:
    """About one class per 40 students, every class within 30–50 when that is possible at all."""
    if students < CLASS_MIN:
        return 1
    fewest, most = math.ceil(students / CLASS_MAX), students // CLASS_MIN
    return min(max(round(students / CLASS_TARGET), fewest), most) if fewest <= most else fewest


def _apportion(rng: random.Random, total: int, weights: list[float]) -> list[int]:
    """Split ``total`` into whole parts proportional to ``weights`` by systematic sampling: every part is the floor
    or the ceiling of its quota, and a small total falls on randomly chosen parts (weighted), not the largest."""
    whole, offset = sum(weights), rng.random()
    counts, cumulative, before = [], 0.0, 0
    for index, weight in enumerate(weights):
        cumulative = total if index == len(weights) - 1 else cumulative + total * weight / whole
        upto = min(total, max(0, math.ceil(cumulative - offset)))
        counts.append(upto - before)
        before = upto
    return counts


def _class_sizes(rng: random.Random, students: int, classes: int) -> list[int]:
    mean = students / classes
    low, high = (CLASS_MIN, CLASS_MAX) if classes * CLASS_MIN <= students <= classes * CLASS_MAX else (1, students)
    sizes = [min(high, max(low, round(mean + rng.uniform(-6, 6)))) for _ in range(classes)]
    diff, order = students - sum(sizes), list(range(classes))
    while diff:
        rng.shuffle(order)
        step = 1 if diff > 0 else -1
        for index in order:
            if diff and low <= sizes[index] + step <= high:
                sizes[index] += step
                diff -= step
    return sizes


def _plan_colleges(rng: random.Random, count: int) -> tuple[CollegePlan, ...]:
    width = max(2, len(str(count)))
    colleges = []
    for index in range(count):
        name, female_share, majors = COLLEGES[index % len(COLLEGES)]
        lap = index // len(COLLEGES)
        if lap:
            campus, prefix = CAMPUSES[lap - 1] if lap <= len(CAMPUSES) else (f"第{lap + 1}校区", str(lap + 1))
            name = f"{name}（{campus}）"
        else:
            prefix = ""
        code = f"{index + 1:0{width}d}"
        college_weight = rng.uniform(0.6, 1.5)
        chosen = majors[: rng.randint(*MAJORS_PER_COLLEGE)]
        colleges.append(CollegePlan(code, name, female_share, tuple(
            MajorPlan(f"{code}{j + 1:02d}", major, prefix + short,
                      college_weight * rng.uniform(0.6, 1.4) * (1.3 if j == 0 else 1.0))
            for j, (major, short) in enumerate(chosen)
        )))
    return tuple(colleges)


def _plan_classes(rng: random.Random, students: int, colleges) -> tuple[ClassPlan, ...]:
    majors = [(c, m) for c, college in enumerate(colleges) for m in range(len(college.majors))]
    weights = [colleges[c].majors[m].weight for c, m in majors]
    per_year = _apportion(rng, class_count(students), [0.24, 0.25, 0.25, 0.26])
    slots = []  # (college, major, year, seq)
    for year, total in zip(YEARS, per_year, strict=True):
        for (c, m), count in zip(majors, _apportion(rng, total, weights), strict=True):
            slots += [(c, m, year, seq) for seq in range(1, count + 1)]
    slots.sort(key=lambda s: (s[2], s[0], s[1], s[3]))
    sizes = _class_sizes(rng, students, len(slots))
    seq_width = max(2, len(str(max(s[3] for s in slots))))
    classes = tuple(
        ClassPlan(f"{colleges[c].majors[m].short}{year % 100:02d}{seq:0{seq_width}d}班", c, m, year, size)
        for (c, m, year, seq), size in zip(slots, sizes, strict=True)
    )
    if len({k.name for k in classes}) != len(classes):  # the catalogue's abbreviations are unique
        raise RuntimeError("seed_university: two classes got the same name")
    return classes


def _plan_seats(rng: random.Random, colleges, classes) -> list[tuple[str, str, int]]:
    """(number, gender, class) of every student, classmates consecutive. Numbers: year + college + sequence."""
    per_group = defaultdict(int)
    for school_class in classes:
        per_group[(school_class.year, school_class.college)] += school_class.size
    width = max(4, len(str(max(per_group.values()))))
    seq = defaultdict(int)
    seats = []
    for index, school_class in enumerate(classes):
        college = colleges[school_class.college]
        for _ in range(school_class.size):
            group = (school_class.year, school_class.college)
            seq[group] += 1
            gender = Gender.FEMALE if rng.random() < college.female_share else Gender.MALE
            seats.append((f"{school_class.year}{college.code}{seq[group]:0{width}d}", gender, index))
    return seats


def _layout(rng: random.Random, gender: str, used: int) -> list[BuildingPlan]:
    """Single-gender buildings of 5–6 floors, about 110 rooms each, holding ``used`` rooms plus a few spare."""
    wanted = math.ceil(used * (1 + SPARE_ROOMS))
    count = max(1, round(wanted / ROOMS_PER_BUILDING))
    per_building = math.ceil(wanted / count)
    areas = BUILDING_AREAS[gender]
    buildings = []
    for index in range(count):
        waste = {floors: floors * math.ceil(per_building / floors) - per_building for floors in FLOOR_CHOICES}
        least = min(waste.values())
        floors = rng.choice([f for f in FLOOR_CHOICES if waste[f] == least])
        name = f"{areas[index // 10 % len(areas)]}{index + 1}栋"
        buildings.append(BuildingPlan(name, gender, floors, math.ceil(per_building / floors)))
    return buildings


def plan_structure(students: int, seed: int = DEFAULT_SEED) -> Structure:
    """Colleges, majors, classes, buildings, floors, rooms and seats: a function of (students, seed) only."""
    if students < 1:
        raise ValueError("students must be at least 1")
    rng = random.Random(f"seed_university:{seed}:{students}:structure")
    colleges = _plan_colleges(rng, college_count(students))
    classes = _plan_classes(rng, students, colleges)
    seats = _plan_seats(rng, colleges, classes)

    # Rooms, per gender, as a stream filled class by class: each class's students of one gender start a new
    # room, so classmates live together and no room mixes classes or genders.
    capacities = {Gender.MALE: [], Gender.FEMALE: []}

    def new_room(gender):
        capacities[gender].append(6 if rng.random() < SIX_BED_SHARE else 4)
        return len(capacities[gender]) - 1

    local_room = [0] * len(seats)
    by_class = defaultdict(lambda: {Gender.MALE: [], Gender.FEMALE: []})
    for index, (_number, gender, school_class) in enumerate(seats):
        by_class[school_class][gender].append(index)
    for school_class in range(len(classes)):
        for gender in (Gender.MALE, Gender.FEMALE):
            free = 0
            for index in by_class[school_class][gender]:
                if free == 0:
                    room = new_room(gender)
                    free = capacities[gender][room]
                local_room[index] = room
                free -= 1

    buildings, rooms, first_room = [], [], {}
    for gender in (Gender.MALE, Gender.FEMALE):
        first_room[gender] = len(rooms)
        for building in _layout(rng, gender, len(capacities[gender])):
            buildings.append(building)
            digits = max(2, len(str(building.rooms_per_floor)))
            for floor in range(1, building.floors + 1):
                for number in range(1, building.rooms_per_floor + 1):
                    local = len(rooms) - first_room[gender]
                    if local == len(capacities[gender]):
                        new_room(gender)  # a spare room: no student of the plan lives in it
                    rooms.append(RoomPlan(len(buildings) - 1, floor, f"{floor}{number:0{digits}d}", gender,
                                          capacities[gender][local]))
    return Structure(
        students=students,
        seed=seed,
        colleges=colleges,
        classes=classes,
        buildings=tuple(buildings),
        rooms=tuple(rooms),
        seats=tuple(
            SeatPlan(number, gender, school_class, first_room[gender] + local_room[index])
            for index, (number, gender, school_class) in enumerate(seats)
        ),
    )


def _autumn_start(year: int) -> dt.date:
    return monday_of(dt.date(year, 9, 1))


def _spring_start(year: int) -> dt.date:
    return monday_of(dt.date(year, 2, 20))


def _autumn(year: int) -> TermPlan:
    return TermPlan(f"{year}-{year + 1}学年第一学期", _autumn_start(year), _spring_start(year + 1) - dt.timedelta(1))


def _spring(year: int) -> TermPlan:
    return TermPlan(f"{year - 1}-{year}学年第二学期", _spring_start(year), _autumn_start(year) - dt.timedelta(1))


def plan_terms(today: dt.date) -> tuple[TermPlan, TermPlan]:
    """(previous, current): the autumn term runs from September to the spring start (its winter holiday
    included), the spring term from late February to the autumn start, so every date is in one term."""
    if today >= _autumn_start(today.year):
        return _spring(today.year), _autumn(today.year)
    if today >= _spring_start(today.year):
        return _autumn(today.year - 1), _spring(today.year)
    return _spring(today.year - 1), _autumn(today.year - 1)


def plan_organisations(structure: Structure) -> tuple[OrganisationPlan, ...]:
    """The school union and its college unions, the alliance, and a party branch per college."""
    union_positions = UNION_POSITIONS
    plans = [
        OrganisationPlan(SCHOOL_UNION_NAME, OrganisationKind.SCHOOL_UNION,
                         departments=tuple((name, False) for name in SCHOOL_UNION_DEPARTMENTS),
                         positions=union_positions),
        OrganisationPlan(ALLIANCE_NAME, OrganisationKind.ALLIANCE,
                         departments=tuple((name, i == 0) for i, name in enumerate(ALLIANCE_DEPARTMENTS)),
                         positions=ALLIANCE_POSITIONS),
    ]
    for index, college in enumerate(structure.colleges):
        plans.append(OrganisationPlan(f"{college.name}学生会", OrganisationKind.COLLEGE_UNION, SCHOOL_UNION_NAME,
                                      index, tuple((name, False) for name in COLLEGE_UNION_DEPARTMENTS),
                                      union_positions))
        plans.append(OrganisationPlan(f"{college.name}学生党支部", OrganisationKind.PARTY_BRANCH, None, index,
                                      (), BRANCH_POSITIONS))
    return tuple(plans)


def _union_slots(presidium_department, departments, *, head, deputy, deputies, officers, top=("主席", "副主席")):
    """(department, position) slots in the order they are filled: presidium, heads, deputies, then officers."""
    slots = [(presidium_department, top[0]), (presidium_department, top[1]), (presidium_department, top[1])]
    slots += [(name, head) for name in departments]
    slots += [(name, deputy) for _ in range(deputies) for name in departments]
    slots += [(departments[i % len(departments)], "干事") for i in range(officers)]
    return slots


class _Picker:
    """Draws distinct students from preference-ordered pools (shuffled once); pools are consumed as drawn."""

    def __init__(self):
        self.taken: set[int] = set()

    def take(self, *pools: list[int]) -> int | None:
        for pool in pools:
            while pool:
                seat = pool.pop()
                if seat not in self.taken:
                    self.taken.add(seat)
                    return seat
        return None


def plan_people(structure: Structure, organisations, previous: TermPlan) -> People:
    """Names, political statuses, previous-term standing, discipline and memberships of every student."""
    rng = random.Random(f"seed_university:{structure.seed}:{structure.students}:people")
    seats, classes = structure.seats, structure.classes
    names = NameGenerator(rng)
    student_names = tuple(names.name(seat.gender) for seat in seats)

    by_year, by_cohort = defaultdict(list), defaultdict(list)  # cohort: (major code, year)
    for index, seat in enumerate(seats):
        school_class = classes[seat.school_class]
        by_year[school_class.year].append(index)
        by_cohort[(structure.major_of(school_class).code, school_class.year)].append(index)

    statuses = [PoliticalStatus.LEAGUE] * len(seats)
    for year, members in by_year.items():
        order = list(members)
        rng.shuffle(order)
        start = 0
        for status, share in STATUS_SHARES[year].items():
            count = round(share * len(order))
            for index in order[start:start + count]:
                statuses[index] = status
            start += count

    percentiles = [Decimal(0)] * len(seats)
    for members in by_cohort.values():
        order = list(members)
        rng.shuffle(order)
        for rank, index in enumerate(order, start=1):
            percentiles[index] = Decimal((rank * 10000 + len(order) // 2) // len(order)).scaleb(-2)
    failed = [0] * len(seats)
    weakest = sorted(range(len(seats)), key=lambda i: float(percentiles[i]) + rng.uniform(0, 40), reverse=True)
    counts, weights = zip(*FAILED_COURSES, strict=True)
    for index in weakest[:round(FAILING_SHARE * len(seats))]:
        failed[index] = rng.choices(counts, weights)[0]

    offenders = rng.sample(range(len(seats)), round(DISCIPLINE_SHARE * len(seats)))
    levels, level_weights = zip(*DISCIPLINE_LEVELS, strict=True)
    span = (previous.end - previous.start).days
    discipline = []
    for number, index in enumerate(sorted(offenders), start=1):
        decided_on = previous.start + dt.timedelta(days=rng.randint(0, span))
        discipline.append(DisciplinePlan(index, rng.choices(levels, level_weights)[0], rng.choice(DISCIPLINE_REASONS),
                                         decided_on, f"校学发〔{decided_on.year}〕{100 + number}号"))
    disciplined = {d.seat for d in discipline}

    # Union cadres and officers meet SU-2 when enough students do: party or league member, top 30 % of the
    # major, no failed course, no disciplinary record. Cadres come from older cohorts than officers.
    def eligible(index):
        return (statuses[index] != PoliticalStatus.MASSES and percentiles[index] <= 30 and not failed[index]
                and index not in disciplined)

    def shuffled(indexes):
        indexes = list(indexes)
        rng.shuffle(indexes)
        return indexes

    college_of = [classes[seat.school_class].college for seat in seats]
    year_of = [classes[seat.school_class].year for seat in seats]
    good = [i for i in range(len(seats)) if eligible(i)]
    senior, junior = {YEARS[1], YEARS[2]}, {YEARS[2], YEARS[3]}
    pools = {
        "good_senior": shuffled(i for i in good if year_of[i] in senior),
        "good_junior": shuffled(i for i in good if year_of[i] in junior),
        "good": shuffled(good),
        "all_senior": shuffled(i for i in range(len(seats)) if year_of[i] in senior),
        "all": shuffled(range(len(seats))),
    }
    college_pools = defaultdict(lambda: {"good_senior": [], "good_junior": [], "good": [], "all": []})
    for i in pools["good"]:
        college_pools[college_of[i]]["good"].append(i)
        if year_of[i] in senior:
            college_pools[college_of[i]]["good_senior"].append(i)
        if year_of[i] in junior:
            college_pools[college_of[i]]["good_junior"].append(i)
    for i in pools["all"]:
        college_pools[college_of[i]]["all"].append(i)
    college_size = defaultdict(int)
    for college in college_of:
        college_size[college] += 1

    picker, memberships = _Picker(), []

    def fill(organisation, slots, pools_of):
        for department, position in slots:
            cadre = position != "干事"
            seat = picker.take(*pools_of(cadre))
            if seat is None:
                return
            memberships.append(MembershipPlan(seat, organisation, department, position))

    n = len(seats)
    school_slots = _union_slots(None, SCHOOL_UNION_DEPARTMENTS, head="部长", deputy="副部长", deputies=1,
                                officers=sum(rng.randint(4, 5) for _ in SCHOOL_UNION_DEPARTMENTS))
    fill(SCHOOL_UNION_NAME, school_slots[:max(3, n // 20)], lambda cadre: (
        [pools["good_senior"], pools["good"]] if cadre else [pools["good_junior"], pools["good"]]))
    for index, college in enumerate(structure.colleges):
        slots = _union_slots(None, COLLEGE_UNION_DEPARTMENTS, head="部长", deputy="副部长", deputies=1,
                             officers=sum(rng.randint(4, 5) for _ in COLLEGE_UNION_DEPARTMENTS))
        own = college_pools[index]
        fill(f"{college.name}学生会", slots[:college_size[index] // 5], lambda cadre, own=own: (
            [own["good_senior"], own["good"], own["all"]] if cadre else [own["good_junior"], own["good"], own["all"]]))
    alliance_size = min(300, max(12, n // 50))
    departments = ALLIANCE_DEPARTMENTS[1:]
    deputies = 2 if alliance_size >= 60 else 1
    officers = alliance_size - 3 - len(departments) * (1 + deputies)
    slots = _union_slots(ALLIANCE_DEPARTMENTS[0], departments, head="部长", deputy="副部长", deputies=deputies,
                         officers=max(0, officers), top=("总部长", "副总部长"))
    fill(ALLIANCE_NAME, slots[:alliance_size], lambda cadre: (
        [pools["all_senior"], pools["all"]] if cadre else [pools["all"]]))

    # Party branches: every party member, probationary member and development object of the college; the three
    # most senior party members are the secretary and the two committee members.
    branch_members = defaultdict(list)
    for index in range(n):
        if statuses[index] in BRANCH_POST_OF_STATUS:
            branch_members[college_of[index]].append(index)
    for college_index, members in sorted(branch_members.items()):
        organisation = f"{structure.colleges[college_index].name}学生党支部"
        seniors = sorted((i for i in members if statuses[i] == PoliticalStatus.PARTY_MEMBER),
                         key=lambda i: (year_of[i], seats[i].number))
        committee = dict(zip(seniors[:3], ("书记", "组织委员", "宣传委员"), strict=False))
        for index in members:
            position = committee.get(index, BRANCH_POST_OF_STATUS[statuses[index]])
            memberships.append(MembershipPlan(index, organisation, None, position))

    return People(
        names=student_names,
        statuses=tuple(statuses),
        standings=tuple(zip(percentiles, failed, strict=True)),
        discipline=tuple(discipline),
        memberships=tuple(memberships),
    )


# --- writing ---


def _bulk(model, objects: list, key_fields: tuple[str, ...]) -> list:
    """``bulk_create`` in batches. SQLite 3.35+ and PostgreSQL return the new primary keys; on a backend that
    does not, the keys are read back by the natural key ``key_fields``."""
    model.objects.bulk_create(objects, batch_size=BATCH_SIZE)
    if objects and any(obj.pk is None for obj in objects):
        pks = {tuple(row[:-1]): row[-1] for row in model.objects.values_list(*key_fields, "pk")}
        for obj in objects:
            obj.pk = pks[tuple(getattr(obj, name) for name in key_fields)]
    return objects


@transaction.atomic
def write_university(tenant: Tenant, structure: Structure, terms: tuple[TermPlan, TermPlan],
                     organisations: tuple[OrganisationPlan, ...], people: People | None) -> None:
    """Write the plan into an empty tenant, in bulk. ``people`` None: the structure only."""
    t = tenant.pk
    # In bulk for speed, not through orgs.services.term_create / members.services.person_create. The terms get
    # the services' check once; the people need none: each student's college, major, enrolment year and room
    # come from their seat's class and room in the plan (and a room's gender is the seat's), so they agree by
    # construction, and person_check would cost a query per student.
    org_services.terms_check(tenant=tenant, terms=[(p.name, p.start, p.end) for p in terms])
    with tenant_scope(tenant):
        term_rows = _bulk(Term, [Term(tenant_id=t, name=p.name, start=p.start, end=p.end) for p in terms], ("name",))
        current = term_rows[1]
        colleges = _bulk(College, [College(tenant_id=t, code=c.code, name=c.name) for c in structure.colleges],
                         ("code",))
        majors = {}
        for college, row in zip(structure.colleges, colleges, strict=True):
            for major in college.majors:
                majors[major.code] = Major(tenant_id=t, college_id=row.pk, code=major.code, name=major.name)
        _bulk(Major, list(majors.values()), ("code",))
        classes = _bulk(SchoolClass, [
            SchoolClass(tenant_id=t, major_id=majors[structure.major_of(k).code].pk, college_id=colleges[k.college].pk,
                        name=k.name, enrolment_year=k.year)
            for k in structure.classes
        ], ("name",))
        buildings = _bulk(Building, [Building(tenant_id=t, name=b.name) for b in structure.buildings], ("name",))
        floors = _bulk(Floor, [
            Floor(tenant_id=t, building_id=row.pk, number=number)
            for b, row in zip(structure.buildings, buildings, strict=True) for number in range(1, b.floors + 1)
        ], ("building_id", "number"))
        floor_of = {(f.building_id, f.number): f.pk for f in floors}
        rooms = _bulk(Room, [
            Room(tenant_id=t, building_id=buildings[r.building].pk,
                 floor_id=floor_of[(buildings[r.building].pk, r.floor)], number=r.number, gender=r.gender,
                 capacity=r.capacity)
            for r in structure.rooms
        ], ("building_id", "number"))

        college_ids = [c.pk for c in colleges]
        top = [o for o in organisations if o.parent is None]
        nested = [o for o in organisations if o.parent is not None]
        org_rows = {}
        for level in (top, nested):
            for row in _bulk(Organisation, [
                Organisation(tenant_id=t, name=o.name, kind=o.kind,
                             parent_id=org_rows[o.parent].pk if o.parent else None,
                             college_id=college_ids[o.college] if o.college is not None else None)
                for o in level
            ], ("name",)):
                org_rows[row.name] = row
        departments = _bulk(Department, [
            Department(tenant_id=t, organisation_id=org_rows[o.name].pk, name=name, is_presidium=presidium, order=i)
            for o in organisations for i, (name, presidium) in enumerate(o.departments)
        ], ("organisation_id", "name"))
        positions = _bulk(Position, [
            Position(tenant_id=t, organisation_id=org_rows[o.name].pk, name=name, category=category, rank=rank)
            for o in organisations for name, category, rank in o.positions
        ], ("organisation_id", "name"))
        if people is None:
            return

        class_rows = structure.classes
        persons = _bulk(Person, [
            Person(tenant_id=t, number=seat.number, name=name, kind=PersonKind.STUDENT, gender=seat.gender,
                   college_id=classes[seat.school_class].college_id, major_id=classes[seat.school_class].major_id,
                   school_class_id=classes[seat.school_class].pk, enrolment_year=class_rows[seat.school_class].year,
                   room_id=rooms[seat.room].pk, political_status=status)
            for seat, name, status in zip(structure.seats, people.names, people.statuses, strict=True)
        ], ("number",))
        previous = term_rows[0]
        AcademicStanding.objects.bulk_create([
            AcademicStanding(tenant_id=t, person_id=person.pk, term_id=previous.pk, rank_percentile=percentile,
                             failed_courses=failed)
            for person, (percentile, failed) in zip(persons, people.standings, strict=True)
        ], batch_size=BATCH_SIZE)
        DisciplinaryRecord.objects.bulk_create([
            DisciplinaryRecord(tenant_id=t, person_id=persons[d.seat].pk, level=d.level, reason=d.reason,
                               decided_on=d.decided_on, document_number=d.document_number)
            for d in people.discipline
        ], batch_size=BATCH_SIZE)
        department_of = {(d.organisation_id, d.name): d.pk for d in departments}
        position_of = {(p.organisation_id, p.name): p.pk for p in positions}
        memberships = []
        for m in people.memberships:
            org = org_rows[m.organisation].pk
            memberships.append(Membership(
                tenant_id=t, person_id=persons[m.seat].pk, organisation_id=org,
                department_id=department_of[(org, m.department)] if m.department else None,
                position_id=position_of[(org, m.position)], term_id=current.pk, start=current.start,
            ))
        Membership.objects.bulk_create(memberships, batch_size=BATCH_SIZE)


# --- the command's logic: create, reuse or refuse ---


class UniversityConflict(Exception):
    """The tenant exists and holds something else than the requested university (message in Chinese)."""


@dataclass(frozen=True)
class Outcome:
    tenant: Tenant
    created: bool  # False: the tenant already held exactly this university and was reused


def _existing(structure: Structure) -> dict:
    """What the active tenant holds, in the terms the plan can be compared with."""
    rooms = Room.objects.aggregate(count=Count("pk"), beds=Sum("capacity"),
                                   female=Count("pk", filter=Q(gender=Gender.FEMALE)))
    return {
        "colleges": sorted(College.objects.values_list("code", "name")),
        "majors": sorted(Major.objects.values_list("code", flat=True)),
        "classes": sorted(SchoolClass.objects.values_list("name", flat=True)),
        "buildings": sorted(Building.objects.values_list("name", flat=True)),
        "rooms": (rooms["count"], rooms["beds"] or 0, rooms["female"]),
    }


def _planned(structure: Structure) -> dict:
    return {
        "colleges": sorted((c.code, c.name) for c in structure.colleges),
        "majors": sorted(m.code for c in structure.colleges for m in c.majors),
        "classes": sorted(k.name for k in structure.classes),
        "buildings": sorted(b.name for b in structure.buildings),
        "rooms": (len(structure.rooms), sum(r.capacity for r in structure.rooms),
                  sum(r.gender == Gender.FEMALE for r in structure.rooms)),
    }


def _is_empty() -> bool:
    return not any(model.objects.exists() for model in (College, Building, Organisation, Term, Person))


def tenant_name(slug: str) -> str:
    return f"合成大学（{slug}）"


def seed_university(slug: str, students: int, *, seed: int = DEFAULT_SEED, structure_only: bool = False,
                    today: dt.date) -> Outcome:
    """Build the synthetic university in tenant ``slug`` (created if missing); reuse it if it already holds exactly
    this structure and number of students; refuse (``UniversityConflict``) if it holds anything else."""
    if students < 1:
        raise UniversityConflict("学生人数至少为 1。")
    structure = plan_structure(students, seed)
    expected = 0 if structure_only else students
    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is not None:
        with tenant_scope(tenant):
            if not _is_empty():
                have = Person.objects.filter(kind=PersonKind.STUDENT).count()
                if have != expected:
                    raise UniversityConflict(
                        f"学校“{slug}”已有 {have} 名学生，与要求的 {expected} 名不同；"
                        f"本命令不会调整已有数据，请用 --tenant 换一个学校代码。"
                    )
                if _existing(structure) != _planned(structure):
                    raise UniversityConflict(
                        f"学校“{slug}”已有的学院、班级或寝室与本次要求（{students} 名学生，--seed {seed}）不同；"
                        f"本命令不会调整已有数据，请用 --tenant 换一个学校代码。"
                    )
                return Outcome(tenant, created=False)
    terms = plan_terms(today)
    organisations = plan_organisations(structure)
    people = None if structure_only else plan_people(structure, organisations, terms[0])
    with transaction.atomic():
        if tenant is None:
            try:
                tenant = org_services.tenant_create(slug=slug, name=tenant_name(slug), modules=list(MODULES))
            except ValidationError as error:
                messages = "；".join(m for ms in error.message_dict.values() for m in ms)
                raise UniversityConflict(f"学校代码“{slug}”不可用：{messages}") from None
        write_university(tenant, structure, terms, organisations, people)
    return Outcome(tenant, created=True)


def counts(tenant: Tenant) -> list[tuple[str, int]]:
    """The summary the command prints: (Chinese label, count) of what the tenant holds."""
    with tenant_scope(tenant):
        students = Person.objects.filter(kind=PersonKind.STUDENT)
        party = (PoliticalStatus.PARTY_MEMBER, PoliticalStatus.PROBATIONARY)
        return [
            ("学院", College.objects.count()),
            ("专业", Major.objects.count()),
            ("班级", SchoolClass.objects.count()),
            ("楼栋", Building.objects.count()),
            ("楼层", Floor.objects.count()),
            ("寝室", Room.objects.count()),
            ("床位", Room.objects.aggregate(beds=Sum("capacity"))["beds"] or 0),
            ("学期", Term.objects.count()),
            ("学生", students.count()),
            ("　其中党员（含预备党员）", students.filter(political_status__in=party).count()),
            ("学业情况（上学期）", AcademicStanding.objects.count()),
            ("违纪处分", DisciplinaryRecord.objects.count()),
            ("组织", Organisation.objects.count()),
            ("部门", Department.objects.count()),
            ("职务", Position.objects.count()),
            ("组织成员", Membership.objects.count()),
        ]
