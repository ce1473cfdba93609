"""import-chapters: rows with and without coordinates, upsert by name, bad rows reported by line
number and reason, CSV (UTF-8, GB18030) and XLSX through the command."""

import pytest
from sqlalchemy import func, select

from handlers.chapters.importing import import_chapters
from models.chapter import Chapter, ChapterMember
from tests.chapters.support import HEADER, NOW, add_user, rows


def chapter(session, name) -> Chapter:
    return session.scalars(select(Chapter).where(Chapter.name == name)).one()


def test_a_row_with_coordinates_keeps_them(session):
    report = import_chapters(session, rows("苏州工业园区校友会,地区,苏州,中国,31.32,120.71,张伟,138,园区"),
                             now=NOW)
    assert (report.created, report.updated, report.rejected) == (1, 0, [])
    row = chapter(session, "苏州工业园区校友会")
    assert (row.latitude, row.longitude) == (31.32, 120.71)
    assert (row.city, row.province, row.country, row.kind) == ("苏州", "江苏", "CN", "regional")
    assert row.intro == "园区"


def test_a_city_without_coordinates_is_placed_by_the_gazetteer(session):
    import_chapters(session, rows("纽约校友会,海外,New York,,,,Wei,ny@x,",
                                  "常州校友会,地区,常州市,,,,,,"), now=NOW)
    ny = chapter(session, "纽约校友会")
    assert (ny.city, ny.country, ny.province) == ("纽约", "US", "纽约州")
    assert ny.latitude == pytest.approx(40.71, abs=0.05) and ny.longitude == pytest.approx(-74.0, abs=0.05)
    cz = chapter(session, "常州校友会")
    assert (cz.city, cz.province) == ("常州", "江苏")
    assert cz.latitude == pytest.approx(31.8, abs=0.1)


def test_the_country_column_decides_between_cities_of_one_name(session):
    import_chapters(session, rows("伦敦校友会,海外,伦敦,,,,,,", "安大略校友会,海外,伦敦,加拿大,,,,,"), now=NOW)
    assert chapter(session, "伦敦校友会").country == "GB"
    ontario = chapter(session, "安大略校友会")
    assert ontario.country == "CA" and ontario.longitude == pytest.approx(-81.2, abs=0.1)


def test_a_city_the_gazetteer_lacks_goes_in_with_coordinates(session):
    report = import_chapters(session, rows("帕罗奥图校友会,海外,Palo Alto,美国,37.44,-122.14,,,"), now=NOW)
    assert report.rejected == []
    row = chapter(session, "帕罗奥图校友会")
    assert (row.city, row.country, row.latitude) == ("Palo Alto", "US", 37.44)


def test_an_industry_chapter_needs_no_city(session):
    report = import_chapters(session, rows("金融行业校友会,行业,,,,,周敏,139,银行与证券"), now=NOW)
    assert report.rejected == []
    row = chapter(session, "金融行业校友会")
    assert (row.kind, row.city, row.latitude) == ("industry", None, None)


def test_several_liaisons_pair_with_their_contacts(session):
    import_chapters(session, rows("南京校友会,地区,南京,,,,李娜、赵磊,139-1、微信 zl"), now=NOW)
    liaisons = chapter(session, "南京校友会").liaisons
    assert [(lia.name, lia.contact) for lia in liaisons] == [("李娜", "139-1"), ("赵磊", "微信 zl")]


def test_import_upserts_by_name_and_keeps_members(runtime):
    with runtime.sessions.begin() as session:
        import_chapters(session, rows("苏州校友会,地区,苏州,,,,张伟,138,旧简介"), now=NOW)
        user = add_user(session, "o-member")
        session.add(ChapterMember(chapter_id=chapter(session, "苏州校友会").id, wechat_user_id=user.id,
                                  joined_at=NOW))
    with runtime.sessions.begin() as session:
        report = import_chapters(session, rows("苏州校友会,地区,苏州,,,,李娜,139,新简介"), now=NOW)
        assert (report.created, report.updated) == (0, 1)
    with runtime.sessions() as session:
        row = chapter(session, "苏州校友会")
        assert row.intro == "新简介"
        assert [lia.name for lia in row.liaisons] == ["李娜"]
        assert session.scalar(select(func.count()).select_from(Chapter)) == 1
        assert session.scalar(select(func.count()).select_from(ChapterMember)) == 1


def test_bad_rows_are_reported_by_line_number_and_reason_while_good_rows_go_in(session):
    report = import_chapters(session, rows(
        "上海校友会,地区,上海,,,,,,",            # line 2: good
        ",地区,苏州,,,,,,",                      # 3: no name
        "无类型校友会,,苏州,,,,,,",              # 4: no kind
        "奇怪校友会,星际,苏州,,,,,,",            # 5: unknown kind
        "火星校友会,海外,Olympus Mons,,,,,,",     # 6: unknown city, no coordinates
        "坐标错校友会,海外,纽约,,北纬40,-74,,,",   # 7: latitude not a number
        "越界校友会,海外,纽约,,95,-74,,,",        # 8: latitude out of range
        "半坐标校友会,海外,纽约,,40.7,,,,",        # 9: only one coordinate
        "无城市校友会,地区,,,,,,,",               # 10: regional without a city
        "上海校友会,地区,上海,,,,,,",             # 11: the same name as line 2
        "无国家校友会,海外,巴黎,亚特兰蒂斯,,,,,",  # 12: unknown country
        "经度错校友会,海外,纽约,,40,200,,,",       # 13: longitude out of range
    ), now=NOW)
    assert report.created == 1
    reasons = {r.line: r.reason for r in report.rejected}
    assert sorted(reasons) == list(range(3, 14))
    assert reasons[3] == "缺少名称"
    assert reasons[4].startswith("缺少类型")
    assert reasons[5] == "未知的类型「星际」：应为 地区、海外 或 行业"
    assert reasons[6] == "未知的城市「Olympus Mons」：请填写纬度和经度"
    assert "纬度「北纬40」无效" in reasons[7]
    assert "纬度「95」无效" in reasons[8]
    assert reasons[9] == "纬度和经度须同时填写"
    assert reasons[10] == "地区和海外分会必须填写城市"
    assert reasons[11] == "与第 2 行的分会重名"
    assert reasons[12] == "未知的国家「亚特兰蒂斯」"
    assert "经度「200」无效" in reasons[13]


def test_an_unknown_city_is_named_with_its_country(session):
    report = import_chapters(session, rows("X校友会,海外,苏州,美国,,,,,"), now=NOW)
    assert report.rejected[0].reason == "未知的城市「苏州」（美国）：请填写纬度和经度"


def test_english_headers_in_any_order(session):
    report = import_chapters(session, rows("Tokyo,overseas,东京校友会,JP",
                                           header="city,kind,name,country"), now=NOW)
    assert report.rejected == []
    assert chapter(session, "东京校友会").country == "JP"


def test_a_liaison_student_id_links_the_roster_record(session):
    from tests.chapters.support import add_alumnus

    record = add_alumnus(session, "2012010101", "张伟", 2012)
    report = import_chapters(session, rows(
        "苏州校友会,地区,苏州,,,,张伟,138,,2012010101",
        "南京校友会,地区,南京,,,,李娜,139,,2012010101",
        header=HEADER + ",联络员学号"), now=NOW)
    assert chapter(session, "苏州校友会").liaisons[0].alumnus_id == record.id
    assert [r.line for r in report.rejected] == [3]
    assert "李娜 的学号「2012010101」在花名册中不存在或与姓名不符" in report.rejected[0].reason


# --- the command, on real files ------------------------------------------------------------------

FILE_ROWS = [HEADER, "苏州校友会,地区,苏州,,,,张伟,13800000000,姑苏", "坏行校友会,星际,苏州,,,,,,",
             "纽约校友会,海外,纽约,美国,40.71,-74.0,Wei,ny@x,"]


def _run(app, path):
    from wechat_bot.commands.chapters import import_chapters_command

    return app.test_cli_runner().invoke(import_chapters_command, [str(path)])


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_import_chapters_command_reads_csv_in_each_encoding(app, runtime, tmp_path, encoding):
    path = tmp_path / "chapters.csv"
    path.write_text("\n".join(FILE_ROWS) + "\n", encoding=encoding)
    result = _run(app, path)
    assert result.exit_code == 0, result.output
    assert "新增 2 个分会" in result.output
    assert "第 3 行：未知的类型「星际」" in result.output
    with runtime.sessions() as session:
        assert chapter(session, "苏州校友会").liaisons[0].contact == "13800000000"


def test_import_chapters_command_reads_xlsx(app, runtime, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    for line in FILE_ROWS:
        sheet.append([float(c) if c.replace(".", "").replace("-", "").isdigit() and "." in c else (c or None)
                      for c in line.split(",")])
    sheet["H2"] = 13800000000  # a phone number typed as a number
    path = tmp_path / "chapters.xlsx"
    book.save(path)
    result = _run(app, path)
    assert result.exit_code == 0, result.output
    assert "新增 2 个分会" in result.output and "第 3 行" in result.output
    with runtime.sessions() as session:
        assert chapter(session, "苏州校友会").liaisons[0].contact == "13800000000"
        assert chapter(session, "纽约校友会").latitude == 40.71


def test_import_chapters_command_rejects_a_file_without_the_required_columns(app, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("城市,简介\n苏州,x\n", encoding="utf-8")
    result = _run(app, path)
    assert result.exit_code == 1
    assert "缺少必需的列：名称、类型" in result.output


def test_a_second_import_of_the_same_file_updates_and_creates_nothing(app, tmp_path):
    path = tmp_path / "chapters.csv"
    path.write_text("\n".join(FILE_ROWS) + "\n", encoding="utf-8")
    _run(app, path)
    result = _run(app, path)
    assert "新增 0 个分会，更新 2 个" in result.output


def test_import_chapters_is_an_alumni_bot_command(config, tmp_path):
    from click.testing import CliRunner

    from wechat_bot.cli import main

    path = tmp_path / "chapters.csv"
    path.write_text("\n".join(FILE_ROWS) + "\n", encoding="utf-8")
    env = {"ALUMNI_BOT_CONFIG": "", "ALUMNI_BOT_DATABASE_URL": config.database.url,
           "ALUMNI_BOT_REDIS_URL": "memory://"}
    result = CliRunner().invoke(main, ["import-chapters", str(path)], env=env)
    assert result.exit_code == 0, result.output
    assert "新增 2 个分会，更新 0 个，拒绝 1 行" in result.output
