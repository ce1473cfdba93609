"""The synthetic roster behind `alumni-bot gen-roster` and the demo: format, realism, determinism."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter

import pytest

from handlers.directory.roster_columns import (
    CHINESE_HEADERS,
    DEGREES,
    REQUIRED_FIELDS,
    ROSTER_COLUMNS,
    field_for_header,
)
from wechat_bot.synthetic.roster import write_synthetic_roster

ROWS = 12_000  # a few batches' worth; enough for the rare surnames (about 0.1% each) to show

SPEC_HEADERS = [
    "学号", "姓名", "毕业年份", "性别", "学历", "学院", "专业", "班级",
    "入学年份", "手机", "邮箱", "所在城市", "工作单位", "行业",
]  # fmt: skip
COMPOUND_SURNAMES = ("欧阳", "司马", "诸葛", "上官", "皇甫", "东方", "慕容")


def generate(n: int, seed: int = 2026) -> str:
    out = io.StringIO(newline="")
    assert write_synthetic_roster(n, out, seed=seed) == n
    return out.getvalue()


def parse(text: str) -> list[dict[str, str]]:
    header, *rows = csv.reader(io.StringIO(text, newline=""))
    fields = [field_for_header(h) for h in header]
    return [dict(zip(fields, row, strict=True)) for row in rows]


def surname(name: str) -> str:
    return name[:2] if name[:2] in COMPOUND_SURNAMES else name[0]


@pytest.fixture(scope="module")
def text() -> str:
    return generate(ROWS)


@pytest.fixture(scope="module")
def roster(text: str) -> list[dict[str, str]]:
    return parse(text)


def test_header_row_uses_the_spec_chinese_headers(text: str) -> None:
    assert text.splitlines()[0].split(",") == SPEC_HEADERS == list(CHINESE_HEADERS)


def test_columns_table_follows_spec_section_9() -> None:
    assert {"student_id", "name", "graduation_year"} == REQUIRED_FIELDS
    assert [c.field for c in ROSTER_COLUMNS][:3] == ["student_id", "name", "graduation_year"]
    assert DEGREES == ("本科", "硕士", "博士")


def test_headers_are_understood_in_chinese_and_english() -> None:
    assert field_for_header("毕业年份") == "graduation_year"
    assert field_for_header("graduation_year") == "graduation_year"
    assert field_for_header("\ufeff学号") == "student_id"  # a BOM on the first cell
    assert field_for_header("  Class_Name\u3000") == "class_name"
    assert field_for_header("备注") is None


def test_writes_the_rows_asked_for(roster: list[dict[str, str]]) -> None:
    assert len(roster) == ROWS
    assert generate(0).splitlines() == [",".join(SPEC_HEADERS)]
    with pytest.raises(ValueError):
        write_synthetic_roster(-1, io.StringIO())


def test_same_seed_writes_the_same_roster(text: str) -> None:
    assert generate(ROWS) == text
    assert not text.startswith(generate(1_000, seed=7))


def test_shorter_roster_is_the_start_of_a_longer_one(text: str) -> None:
    # The demo's roster and a benchmark's share their first alumni.
    assert text.startswith(generate(7_000))


def test_writes_a_utf8_file_and_reports_progress_as_increments(tmp_path) -> None:
    path = tmp_path / "roster.csv"
    steps: list[int] = []
    assert write_synthetic_roster(6_000, path, progress=steps.append) == 6_000
    assert sum(steps) == 6_000 and len(steps) >= 2
    assert path.read_text(encoding="utf-8").startswith("学号,姓名,")


def test_student_ids_are_unique(roster: list[dict[str, str]]) -> None:
    ids = [row["student_id"] for row in roster]
    assert len(set(ids)) == len(ids)
    for row in roster:  # entry year + college + major + class + seat
        assert re.fullmatch(r"\d{10,12}", row["student_id"])
        assert row["student_id"].startswith(row["entry_year"])


def test_student_ids_stay_unique_in_an_overfull_cohort() -> None:
    # Rosters of tens of millions overflow a cohort's 499 classes of 30.
    from wechat_bot.synthetic.roster import _StudentIds

    ids = _StudentIds()
    issued = [ids.allocate(2020, "本科", 1, 1)[0] for _ in range(20_000)]
    assert len(set(issued)) == len(issued) and {len(i) for i in issued} == {12}


def test_required_fields_are_never_blank(roster: list[dict[str, str]]) -> None:
    for row in roster:
        assert all(row[field] for field in REQUIRED_FIELDS)


def test_years_are_plausible_for_each_degree(roster: list[dict[str, str]]) -> None:
    durations = {"本科": {4, 5}, "硕士": {2, 3}, "博士": {4, 5, 6}}
    for row in roster:
        graduation, entry = int(row["graduation_year"]), int(row["entry_year"])
        assert 1960 <= graduation <= 2026
        assert graduation - entry in durations[row["degree"]]
        if row["degree"] != "本科":
            assert graduation >= 1981  # no graduate degrees before China restored them
    years = Counter(int(row["graduation_year"]) // 10 * 10 for row in roster)
    assert years[2010] > years[1990] > years[1970] > 0  # enrolment grew


def test_most_alumni_hold_a_bachelors_degree(roster: list[dict[str, str]]) -> None:
    degrees = Counter(row["degree"] for row in roster)
    assert set(degrees) == set(DEGREES)
    assert degrees["本科"] > degrees["硕士"] > degrees["博士"] > 0


def test_special_reading_surnames_appear(roster: list[dict[str, str]]) -> None:
    surnames = Counter(surname(row["name"]) for row in roster)
    for special in "单曾解覃吕区仇朴查":
        assert 0 < surnames[special] < ROWS * 0.01, special
    for compound in ("欧阳", "司马", "诸葛", "上官"):
        assert surnames[compound] > 0, compound
    assert {name for name, _ in surnames.most_common(3)} == {"王", "李", "张"}


def test_common_names_repeat(roster: list[dict[str, str]]) -> None:
    names = Counter(row["name"] for row in roster)
    assert 0.5 * ROWS < len(names) < 0.95 * ROWS
    assert names.most_common(1)[0][1] >= 5
    assert {len(name) for name in names} >= {2, 3}


def test_some_alumni_hold_a_second_degree_record(roster: list[dict[str, str]]) -> None:
    by_person: dict[tuple[str, str, str], list[dict[str, str]]] = {}
    for row in roster:
        if row["phone"]:
            by_person.setdefault((row["name"], row["gender"], row["phone"]), []).append(row)
    twice = [rows for rows in by_person.values() if len(rows) == 2]
    assert 0.03 < len(twice) / len(by_person) < 0.07
    for bachelor, master in twice:
        assert (bachelor["degree"], master["degree"]) == ("本科", "硕士")
        assert bachelor["student_id"] != master["student_id"]
        assert int(master["entry_year"]) >= int(bachelor["graduation_year"])


def test_class_names_carry_the_major_and_entry_year(roster: list[dict[str, str]]) -> None:
    college_of_major: dict[str, set[str]] = {}
    for row in roster:
        assert re.fullmatch(rf"\D+{row['entry_year']}-\d+班", row["class_name"])
        college_of_major.setdefault(row["major"], set()).add(row["college"])
    assert all(len(colleges) == 1 for colleges in college_of_major.values())
    assert 12 <= len({row["college"] for row in roster}) <= 20
    assert "计科" in " ".join(row["class_name"] for row in roster)


def test_contact_and_work_fields_look_real_with_some_blanks(roster: list[dict[str, str]]) -> None:
    for row in roster:
        assert row["gender"] in {"男", "女"}
        assert row["phone"] == "" or re.fullmatch(r"1[3-9]\d{9}", row["phone"])
        assert row["email"] == "" or re.fullmatch(r"[a-z0-9]+@[a-z0-9]+\.(com|cn)", row["email"])
    for field in ("phone", "email", "city", "employer", "industry"):
        blank = sum(1 for row in roster if not row[field])
        assert 0 < blank < ROWS * 0.5, field
    cities = Counter(row["city"] for row in roster)
    assert cities.most_common(1)[0][0] == "北京" and len(cities) > 40
    assert cities["纽约"] + cities["伦敦"] + cities["新加坡"] > 0
    assert {"互联网", "金融", "教育", "制造业"} <= {row["industry"] for row in roster}
