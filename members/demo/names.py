"""Generated Chinese names for demo and test data.

The real students listed in seed 000 (the alliance's cadre list) are never demo data: a generated name that
contains one of their names, in traditional or simplified characters, is drawn again.
"""

import random

#: The names listed in seed 000 (traditional, as written there, and simplified). Never generated.
REAL_NAMES_SEED_000 = frozenset(
    {
        "樂霽穎", "田小艷", "曾穎", "富紹鑫", "魏暢", "劉思嘉", "郭建明", "韋欣麗", "王玉鳳", "陳盈", "周雪菲",
        "趙鈺禎", "徐子棟", "高偉嶺", "彭嫦媚", "劉洪強", "趙粵", "王吉",
        "乐霁颖", "田小艳", "曾颖", "富绍鑫", "魏畅", "刘思嘉", "韦欣丽", "王玉凤", "陈盈", "赵钰祯", "徐子栋",
        "高伟岭", "刘洪强", "赵粤",
    }
)

# Common surnames, the first ones more frequent (weights fall with the position); Hunan and Xiangxi
# surnames (彭 谭 向 龙 石 麻 覃) are included.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱覃武戴莫孔向汤麻"
)
COMPOUND_SURNAMES = ("欧阳", "司马", "上官")

FEMALE_CHARS = "婷静丽敏燕娟霞芳欣怡佳雨雪琳晴瑶萱梦诗语涵悦彤思雅蕾璐慧洁倩玲妍琪月宁晓嘉可心淑薇媛娜丹岚蓉秋"
MALE_CHARS = "伟强磊军勇杰涛斌超明鹏浩宇轩博文俊凯健翔泽晨睿昊子航宏坤峰林阳辉洋毅成立志豪然飞诚瑞远"
NEUTRAL_CHARS = "子一思嘉欣雨安乐晓文清若梓"


def is_real_name(name: str) -> bool:
    """True if ``name`` is, or contains, a name listed in seed 000."""
    return any(real in name for real in REAL_NAMES_SEED_000)


class NameGenerator:
    """Draws distinct Chinese names from a seeded ``random.Random``: the same seed gives the same names."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()
        self._weights = [1.0 / (i + 8) for i in range(len(SURNAMES))]

    def _surname(self) -> str:
        if self.rng.random() < 0.01:
            return self.rng.choice(COMPOUND_SURNAMES)
        return self.rng.choices(SURNAMES, weights=self._weights)[0]

    def _given(self, gender: str) -> str:
        own = FEMALE_CHARS if gender == "F" else MALE_CHARS
        pool = own + NEUTRAL_CHARS
        if self.rng.random() < 0.25:
            return self.rng.choice(own)
        first, second = self.rng.choice(pool), self.rng.choice(own)
        return first + second if first != second else first

    def name(self, gender: str) -> str:
        """A new name for a person of ``gender`` ("M" or "F"), never one already drawn or a real one."""
        while True:
            candidate = self._surname() + self._given(gender)
            if candidate not in self.used and not is_real_name(candidate):
                self.used.add(candidate)
                return candidate
