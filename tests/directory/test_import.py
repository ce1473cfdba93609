"""import-roster: the files staff really have, what goes in, what is refused and where, and that
a re-import never touches what an alumnus said about themself."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from openpyxl import Workbook
from sqlalchemy import select, text

from handlers.directory.roster_file import RosterFileError, estimate_rows
from handlers.directory.roster_import import import_roster
from models import Alumnus, Privacy, WechatUser
from models.db import make_engine

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
HEADER = "学号,姓名,毕业年份,学历,学院,专业,班级,入学年份,手机,邮箱,所在城市,工作单位,行业"
ROWS = [
    "2012010101,张伟,2016,本科,计算机学院,软件工程,软工2012-1班,2012,13812345678,zw@example.com,上海,腾讯,互联网",
    "2012010102,单晓明,2016,本科,计算机学院,软件工程,软工2012-1班,2012,,,北京,,",
    "2014050201,欧阳娜娜,2017,硕士,经济管理学院,金融学,金融硕2014-1班,2014,,,深圳,招商银行,金融",
]


@pytest.fixture
def engine(config):
    engine = make_engine(config.database.url)
    yield engine
    engine.dispose()


def write_csv(path, lines, encoding="utf-8"):
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def roster(engine) -> dict[str, Alumnus]:
    with engine.connect() as conn:
        rows = conn.execute(select(Alumnus.__table__)).mappings().all()
    return {row["student_id"]: row for row in rows}


def test_a_utf8_file_goes_in_with_search_keys(engine, tmp_path):
    report = import_roster(engine, write_csv(tmp_path / "r.csv", [HEADER, *ROWS]), now=NOW)

    assert (report.read, report.inserted, report.updated, report.unchanged) == (3, 3, 0, 0)
    assert report.rejected == [] and report.applied
    record = roster(engine)["2012010102"]
    assert record["name"] == "单晓明" and record["graduation_year"] == 2016
    assert (record["search_pinyin"], record["search_initials"]) == ("shanxiaoming", "sxm")
    assert record["name_key"] == "单晓明" and record["privacy"] == Privacy.CLASSMATES
    assert record["phone"] is None and record["employer"] is None  # empty cells are NULL
    assert roster(engine)["2012010101"]["industry"] == "互联网"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_utf8_bom_and_gb18030_files_read_the_same(engine, tmp_path, encoding):
    path = write_csv(tmp_path / "r.csv", [HEADER, *ROWS], encoding)

    report = import_roster(engine, path, now=NOW)

    assert report.inserted == 3 and not report.rejected
    assert roster(engine)["2014050201"]["name"] == "欧阳娜娜"
    assert roster(engine)["2014050201"]["college"] == "经济管理学院"


def test_excel_unicode_text_is_tab_separated_utf16(engine, tmp_path):
    lines = [line.replace(",", "\t") for line in (HEADER, *ROWS)]
    report = import_roster(engine, write_csv(tmp_path / "r.txt", lines, "utf-16"), now=NOW)
    assert report.inserted == 3 and roster(engine)["2012010101"]["employer"] == "腾讯"


def test_an_xlsx_roster_with_numbers_for_ids_and_years(engine, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "学号", "毕业年份", "备注", "所在城市"])
    sheet.append(["张伟", 2012010101, 2016, "班长", "上海"])
    sheet.append(["李娜", 2013020202, 2017.0, None, None])
    sheet.append([None, None, None, None, None])
    sheet.append(["王芳", None, 2018, None, None])
    book.save(tmp_path / "r.xlsx")

    report = import_roster(engine, tmp_path / "r.xlsx", now=NOW)

    assert (report.read, report.inserted) == (3, 2)
    assert [(r.line, r.reason) for r in report.rejected] == [(5, "缺少学号")]
    assert roster(engine)["2012010101"]["city"] == "上海"
    assert roster(engine)["2013020202"]["graduation_year"] == 2017


@pytest.mark.parametrize("header", [
    "student_id,name,graduation_year,college",
    "Name,Student_ID,College,Graduation_Year",
    "学院,姓名,graduation_year,学号",
    "\ufeff 学号 ,　姓名,毕业年份,学院",
])  # fmt: skip
def test_chinese_english_and_mixed_headers_in_any_order(engine, tmp_path, header):
    fields = [h.strip("\ufeff 　").lower() for h in header.split(",")]
    values = {"student_id": "2012010101", "学号": "2012010101", "name": "张伟", "姓名": "张伟",
              "graduation_year": "2016", "毕业年份": "2016", "college": "计算机学院",
              "学院": "计算机学院"}  # fmt: skip
    path = write_csv(tmp_path / "r.csv", [header, ",".join(values[f] for f in fields)])

    report = import_roster(engine, path, now=NOW)

    assert report.inserted == 1
    record = roster(engine)["2012010101"]
    assert (record["name"], record["graduation_year"], record["college"]) == (
        "张伟",
        2016,
        "计算机学院",
    )


def test_unknown_columns_are_ignored(engine, tmp_path):
    path = write_csv(tmp_path / "r.csv", ["备注,学号,姓名,毕业年份,QQ", "优秀,1,张伟,2016,12345"])
    assert import_roster(engine, path, now=NOW).inserted == 1
    assert roster(engine)["1"]["name"] == "张伟"


@pytest.mark.parametrize("header, missing", [
    ("姓名,毕业年份", "学号"),
    ("学号,学院", "姓名、毕业年份"),
])  # fmt: skip
def test_a_missing_required_column_is_named(engine, tmp_path, header, missing):
    with pytest.raises(RosterFileError, match=f"文件缺少必需的列：{missing}"):
        import_roster(engine, write_csv(tmp_path / "r.csv", [header, "1,2"]), now=NOW)


def test_a_file_that_is_no_roster_at_all_is_refused_clearly(engine, tmp_path):
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(RosterFileError, match="文件是空的"):
        import_roster(engine, tmp_path / "empty.csv", now=NOW)
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 100)
    with pytest.raises(RosterFileError, match="xls"):
        import_roster(engine, tmp_path / "old.xls", now=NOW)
    (tmp_path / "twice.csv").write_text("学号,姓名,毕业年份,student_id\n", encoding="utf-8")
    with pytest.raises(RosterFileError, match="学号」出现了两次"):
        import_roster(engine, tmp_path / "twice.csv", now=NOW)


def test_an_unclosed_quote_is_named_with_its_line_and_nothing_goes_in(engine, tmp_path):
    lines = [HEADER, ROWS[0], ROWS[1].replace("单晓明", '"单晓明'), ROWS[2]]
    with pytest.raises(RosterFileError, match="第 3 行有一个引号（\"）没有闭合：从第 3 行到文件末尾（第 4 行）"):
        import_roster(engine, write_csv(tmp_path / "r.csv", lines), now=NOW)
    assert roster(engine) == {}


def test_an_unclosed_quote_in_the_header_is_named_not_taken_for_missing_columns(engine, tmp_path):
    lines = [HEADER.replace("姓名", '"姓名'), *ROWS]
    with pytest.raises(RosterFileError, match="表头有一个引号"):
        import_roster(engine, write_csv(tmp_path / "r.csv", lines), now=NOW)


def test_quoted_cells_with_line_breaks_and_commas_still_import(engine, tmp_path):
    lines = [HEADER, ROWS[0].replace("腾讯", '"腾讯,\n深圳总部"'), ROWS[1]]
    report = import_roster(engine, write_csv(tmp_path / "r.csv", lines), now=NOW)
    assert (report.inserted, report.rejected) == (2, [])
    assert roster(engine)["2012010101"]["employer"] == "腾讯,\n深圳总部"


def test_bad_rows_are_reported_by_line_and_reason_and_good_rows_go_in(engine, tmp_path):
    lines = [
        "学号,姓名,毕业年份,学历,入学年份,学院",
        "1,张伟,2016,本科,2012,计算机学院",  # 2: good
        ",李娜,2016,,,",  # 3
        "3,,2016,,,",  # 4
        "4,王芳,1850,,,",  # 5
        "5,刘洋,2040,,,",  # 6: beyond this year + 6
        "6,陈静,二〇一六,,,",  # 7
        "7,杨帆,2016,专科,,",  # 8
        "8,赵磊,2012,,2016,",  # 9: entered after graduating
        "",  # 10: a blank line is skipped, and still counted as a line
        "1,张伟,2017,本科,2013,计算机学院",  # 11: the student ID of line 2
        '9,"黄\n敏",2016,,,',  # 12-13: a quoted line break; the row starts on line 12
        "10,周杰,2016,,,",  # 14: good
        f"11,{'长' * 65},2016,,,",  # 15
        "12,吴刚,2016年,硕士,2013,",  # 16: good: 2016年 is a year
    ]
    report = import_roster(engine, write_csv(tmp_path / "r.csv", lines), now=NOW)

    assert [(r.line, r.reason) for r in report.rejected] == [
        (3, "缺少学号"),
        (4, "缺少姓名"),
        (5, "毕业年份 1850 不合理"),
        (6, "毕业年份 2040 不合理"),
        (7, "毕业年份「二〇一六」不是四位数的年份"),
        (8, "学历「专科」应为 本科、硕士、博士 之一"),
        (9, "入学年份 2016 晚于毕业年份 2012"),
        (11, "学号 1 在文件中重复（第 2 行已出现）"),
        (15, "姓名过长（最多 64 个字符）"),
    ]
    assert (report.read, report.inserted, report.rejected_count) == (13, 4, 9)
    assert sorted(roster(engine)) == ["1", "10", "12", "9"]
    assert roster(engine)["1"]["graduation_year"] == 2016  # the first of the repeated ID
    assert roster(engine)["9"]["name"] == "黄\n敏"


def test_several_problems_in_one_row_are_all_named(engine, tmp_path):
    path = write_csv(tmp_path / "r.csv", ["学号,姓名,毕业年份,学历", ",,1850,学士后"])
    [rejected] = import_roster(engine, path, now=NOW).rejected
    assert (
        rejected.reason
        == "缺少学号；缺少姓名；毕业年份 1850 不合理；学历「学士后」应为 本科、硕士、博士 之一"
    )


def test_strict_writes_nothing_when_any_row_is_bad(engine, tmp_path):
    path = write_csv(tmp_path / "r.csv", [HEADER, *ROWS, "x,无年份,,,,,,,,,,,"])

    report = import_roster(engine, path, strict=True, now=NOW)

    assert not report.applied and report.strict and report.inserted == 0
    assert [(r.line, r.reason) for r in report.rejected] == [(5, "缺少毕业年份")]
    assert roster(engine) == {}


def test_strict_with_a_clean_file_imports_it(engine, tmp_path):
    report = import_roster(engine, write_csv(tmp_path / "r.csv", [HEADER, *ROWS]), strict=True,
                           now=NOW)  # fmt: skip
    assert report.applied and report.inserted == 3 and len(roster(engine)) == 3


def test_dry_run_reports_what_would_change_and_writes_nothing(engine, tmp_path):
    import_roster(engine, write_csv(tmp_path / "a.csv", [HEADER, *ROWS[:2]]), now=NOW)
    changed = ROWS[0].replace("上海", "杭州")
    path = write_csv(tmp_path / "b.csv", [HEADER, changed, ROWS[1], ROWS[2], "x,,2016,,,,,,,,,,"])

    report = import_roster(engine, path, dry_run=True, now=LATER)

    assert (report.inserted, report.updated, report.unchanged, report.rejected_count) == (
        1,
        1,
        1,
        1,
    )
    assert report.dry_run and not report.applied
    assert sorted(roster(engine)) == ["2012010101", "2012010102"]
    assert roster(engine)["2012010101"]["city"] == "上海"


def test_the_same_file_twice_changes_nothing_the_second_time(engine, tmp_path):
    path = write_csv(tmp_path / "r.csv", [HEADER, *ROWS])
    import_roster(engine, path, now=NOW)
    before = roster(engine)

    report = import_roster(engine, path, now=LATER)

    assert (report.inserted, report.updated, report.unchanged) == (0, 0, 3)
    assert roster(engine) == before  # imported_at included: no row was written


def test_a_reimport_updates_the_roster_and_keeps_what_the_alumnus_set(engine, tmp_path):
    import_roster(engine, write_csv(tmp_path / "a.csv", [HEADER, *ROWS]), now=NOW)
    with engine.begin() as conn:
        user = conn.execute(WechatUser.__table__.insert().values(
            openid="o-zhangwei", created_at=NOW)).inserted_primary_key[0]  # fmt: skip
        conn.execute(Alumnus.__table__.update().where(Alumnus.student_id == "2012010101").values(
            profile_city="成都", profile_employer="自己的公司", profile_industry="创业",
            privacy=Privacy.PUBLIC.value, wechat_user_id=user, bound_at=NOW))  # fmt: skip
    changed = ROWS[0].replace("张伟", "张玮").replace("上海", "杭州").replace("腾讯", "阿里巴巴")
    path = write_csv(tmp_path / "b.csv", [HEADER, changed, ROWS[1]])  # ROWS[2] left out

    report = import_roster(engine, path, now=LATER)

    assert (report.inserted, report.updated, report.unchanged) == (0, 1, 1)
    record = roster(engine)["2012010101"]
    assert (record["name"], record["city"], record["employer"]) == ("张玮", "杭州", "阿里巴巴")
    assert (record["search_pinyin"], record["name_key"]) == ("zhangwei", "张玮")
    assert record["imported_at"] == LATER
    assert (record["profile_city"], record["profile_employer"], record["profile_industry"]) == (
        "成都",
        "自己的公司",
        "创业",
    )
    assert (record["privacy"], record["wechat_user_id"]) == (Privacy.PUBLIC, user)
    assert record["bound_at"] is not None
    assert "2014050201" in roster(engine)  # absent from the file, still on the roster


def test_the_first_import_leaves_every_index_in_place(engine, tmp_path):
    def indexes():  # from the catalog: the inspector cannot see expression indexes on SQLite
        sql = (
            "SELECT indexname FROM pg_indexes WHERE tablename = 'alumnus' "
            "AND schemaname = current_schema()"
            if engine.dialect.name == "postgresql"
            else "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'alumnus'"
        )
        with engine.connect() as conn:
            return set(conn.execute(text(sql)).scalars())

    before = indexes()
    import_roster(engine, write_csv(tmp_path / "r.csv", [HEADER, *ROWS]), now=NOW)
    assert indexes() == before
    assert {"ix_alumnus_search_pinyin", "ix_alumnus_current_city"} <= before


def test_progress_is_reported_in_rows(engine, tmp_path):
    seen = []
    import_roster(engine, write_csv(tmp_path / "r.csv", [HEADER, *ROWS]), progress=seen.append,
                  now=NOW)  # fmt: skip
    assert sum(seen) == 3


def test_the_command_prints_the_summary_and_the_rejected_rows(app, tmp_path):
    from wechat_bot.commands.roster import import_roster as command

    bad = [f"{n},,2016,,,,,,,,,," for n in range(100, 160)]
    path = write_csv(tmp_path / "r.csv", [HEADER, *ROWS, *bad])

    result = app.test_cli_runner().invoke(command, [str(path)])

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "读取 63 行：新增 3，更新 0，未变 0，拒绝 60"
    assert lines[1] == "被拒绝的行：" and lines[2] == "  第 5 行：缺少姓名"
    assert lines[-1] == "  …另有 10 行未列出" and len(lines) == 53


def test_the_command_fails_on_strict_refusal_and_on_an_unreadable_file(app, tmp_path):
    from wechat_bot.commands.roster import import_roster as command

    runner = app.test_cli_runner()
    bad = write_csv(tmp_path / "bad.csv", [HEADER, *ROWS, "x,,2016,,,,,,,,,,"])
    strict = runner.invoke(command, [str(bad), "--strict"])
    assert strict.exit_code == 1 and "严格模式：有 1 行未通过检查，未写入任何数据" in strict.stdout

    dry = runner.invoke(command, [str(bad), "--dry-run"])
    assert dry.exit_code == 0 and "试运行" in dry.stdout and "新增 3" in dry.stdout

    unreadable = runner.invoke(command, [str(write_csv(tmp_path / "x.csv", ["姓名,学院", "a,b"]))])
    assert unreadable.exit_code == 2
    assert "无法导入：文件缺少必需的列：学号、毕业年份" in unreadable.stderr


def test_a_header_alone_imports_nothing(engine, tmp_path):
    report = import_roster(engine, write_csv(tmp_path / "r.csv", [HEADER]), now=NOW)
    assert (report.read, report.inserted, report.unchanged, report.rejected) == (0, 0, 0, [])


def test_the_progress_bar_length_is_estimated_for_csv_and_xlsx(tmp_path):
    assert estimate_rows(write_csv(tmp_path / "r.csv", [HEADER, *ROWS])) == 3
    book = Workbook()
    for row in ([HEADER.split(",")[0]], ["1"], ["2"]):
        book.active.append(row)
    book.save(tmp_path / "r.xlsx")
    assert estimate_rows(tmp_path / "r.xlsx") == 2
