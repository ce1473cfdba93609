"""Demo identities: a few fixed roster records that `alumni-bot demo` prints and the sandbox page
offers, so a newcomer can bind without opening the database.

The first is the example every binding text gives (「绑定 张伟 2012010101」), so the example works
in the demo; the synthetic roster's own IDs have 12 digits and never collide with these. Each is a
different anniversary class in 2026 (10th, 30th) or none, for the reunion feature to show.
Every person here is made up.
"""

from __future__ import annotations

from dataclasses import dataclass

from handlers.directory.roster_columns import FIELDS


@dataclass(frozen=True)
class DemoIdentity:
    student_id: str
    name: str
    graduation_year: int
    gender: str
    degree: str
    college: str
    major: str
    class_name: str
    entry_year: int
    city: str
    employer: str
    industry: str

    @property
    def bind_command(self) -> str:
        return f"绑定 {self.name} {self.student_id}"

    def roster_row(self) -> list[str]:
        """The row as the roster file holds it (phone and e-mail left empty)."""
        values = {**{f: "" for f in FIELDS}, "student_id": self.student_id, "name": self.name,
                  "graduation_year": str(self.graduation_year), "gender": self.gender,
                  "degree": self.degree, "college": self.college, "major": self.major,
                  "class_name": self.class_name, "entry_year": str(self.entry_year),
                  "city": self.city, "employer": self.employer, "industry": self.industry}
        return [values[f] for f in FIELDS]


DEMO_IDENTITIES: tuple[DemoIdentity, ...] = (
    DemoIdentity("2012010101", "张伟", 2016, "男", "本科", "计算机学院", "软件工程", "软工2012-1班",
                 2012, "上海", "腾讯", "互联网"),
    DemoIdentity("2013050202", "李娜", 2017, "女", "本科", "经济管理学院", "金融学", "金融2013-2班",
                 2013, "北京", "招商银行", "金融"),
    DemoIdentity("1992040303", "王芳", 1996, "女", "本科", "土木工程学院", "土木工程", "土木1992-3班",
                 1992, "南京", "中建八局", "建筑与房地产"),
)

# Already bound when the demo starts, to the chat page's third person (王磊): a broadcast staff send
# to the 2016 class from the admin page arrives in a chat a newcomer can open, before anyone binds.
DEMO_BOUND = DemoIdentity("2012060404", "王磊", 2016, "男", "本科", "机械工程学院", "机械设计制造及其自动化",
                          "机械2012-4班", 2012, "苏州", "博世", "制造业")
