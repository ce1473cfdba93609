"""Every Chinese sentence the chapters feature says: the bot's replies, the import's reasons."""

from __future__ import annotations

from handlers.chapters.columns import KIND_NAMES

# --- the chapters file (import-chapters) -----------------------------------------------------
ROW_NO_NAME = "缺少名称"
ROW_NAME_TOO_LONG = "名称超过 {limit} 个字"
ROW_NO_KIND = "缺少类型（应为 地区、海外 或 行业）"
ROW_UNKNOWN_KIND = "未知的类型「{kind}」：应为 地区、海外 或 行业"
ROW_UNKNOWN_STATUS = "未知的状态「{status}」：应为 正常 或 停用"
ROW_NO_CITY = "地区和海外分会必须填写城市"
ROW_UNKNOWN_CITY = "未知的城市「{city}」{where}：请填写纬度和经度"
ROW_UNKNOWN_COUNTRY = "未知的国家「{country}」"
ROW_HALF_COORDINATES = "纬度和经度须同时填写"
ROW_BAD_LATITUDE = "纬度「{value}」无效：应为 -90 到 90 之间的数字"
ROW_BAD_LONGITUDE = "经度「{value}」无效：应为 -180 到 180 之间的数字"
ROW_CONTACTS_WITHOUT_LIAISON = "联络方式比联络员多：请按顺序一一对应（多人用「、」分隔）"
ROW_IDS_WITHOUT_LIAISON = "联络员学号比联络员多：请按顺序一一对应"
ROW_LIAISON_NOT_IN_ROSTER = "联络员 {name} 的学号「{student_id}」在花名册中不存在或与姓名不符"
ROW_DUPLICATE = "与第 {line} 行的分会重名"
FILE_MISSING_COLUMNS = "缺少必需的列：{columns}"

# --- editing a chapter on the admin page (the row rules above apply to its form too) -------------
NAME_TAKEN = "已有名为「{name}」的分会，请换一个名称"
LIAISON_NO_NAME = "请填写联络员姓名"

# --- the chapter:NAME push audience (staff choosing whom a broadcast reaches) ---------------
AUDIENCE_LABEL = "{name}成员"
AUDIENCE_AMBIGUOUS = "「{name}」对应多个分会：{names}；请写全名，例如 chapter:{first}"
AUDIENCE_UNKNOWN = "没有名为「{name}」的分会（alumni-bot import-chapters 导入分会后再试）"

# --- the bot -----------------------------------------------------------------------------------
ASK_WHERE = ("您想找哪里的校友分会？\n请回复城市（如 苏州、纽约）、省份、国家或行业（如 金融），"
             "或点击输入框旁的「+」→「位置」发送您的位置，我来找离您最近的分会。\n发送「取消」退出。")
NOT_FOUND = "没有找到与「{query}」相关的分会。请换个城市、省份或行业再试，或发送位置；发送「取消」退出。"
NOT_FOUND_ONCE = "没有找到与「{query}」相关的分会。可以发送「分会」后按提示查找，或直接发送您的位置。"
NO_CHAPTERS = "目前还没有校友分会。"
LOCATION_UNKNOWN = "没有收到有效的位置，请重新发送位置，或回复城市名。"
JOIN_USAGE = "请在「加入分会」后写上分会编号，例如「加入分会 3」。发送「分会」查找分会及其编号。"
JOINED = "您已加入{name}。联络员会与您联系，分会的活动和通知也会发给您。"
ALREADY_MEMBER = "您已经是{name}的成员了。"
JOIN_NOT_BOUND = "加入分会需要先认证校友身份：请发送「绑定 姓名 学号」。"
NO_SUCH_CHAPTER = "没有编号为 {number} 的分会。发送「分会」查找分会及其编号。"
NO_SUCH_CHAPTER_NAMED = "没有名为「{name}」的分会。发送「分会」查找分会及其编号。"
CLASS_NOT_BOUND = "查看我的班级需要先认证校友身份：请发送「绑定 姓名 学号」。"
JOIN_HINT = "回复「加入分会 编号」加入分会。"
OTHER_CITY_HINT = "查其他地方：发送「分会 城市」，如「分会 苏州」。"

HEADINGS = {
    "city": "{place}的校友分会",
    "province": "{place}的校友分会",
    "country": "{place}的校友分会",
    "name": "名称含「{place}」的分会",
    "industry": "与「{place}」相关的行业分会",
    "nearest": "离您最近的校友分会",
    "near_place": "{place}暂无校友分会，离{place}最近的是",
}
LAST_LOCATION = "（按您最近上报的位置）"


def distance(km: float) -> str:
    if km < 1:
        return "不到 1 公里"
    if km < 10:
        return f"约 {km:.1f} 公里"
    return f"约 {km:,.0f} 公里"


def chapter_lines(chapter) -> str:
    """One chapter of a list: number, name, place (and distance), liaisons, members."""
    where = [chapter.city] if chapter.city else [KIND_NAMES.get(chapter.kind, "")]
    if chapter.distance_km is not None:
        where.append(distance(chapter.distance_km))
    lines = [f"[{chapter.id}] {chapter.name}（{' · '.join(w for w in where if w)}）"]
    if chapter.liaisons:
        people = "；".join(f"{lia.name} {lia.contact}" if lia.contact else lia.name
                          for lia in chapter.liaisons)
        lines.append(f"  联络员：{people}")
    lines.append(f"  成员 {chapter.members} 人")
    return "\n".join(lines)


def chapter_list(heading: str, chapters, total: int, *, footer: str = JOIN_HINT) -> str:
    more = f"（共 {total} 个，显示前 {len(chapters)} 个）" if total > len(chapters) else ""
    body = "\n".join(chapter_lines(c) for c in chapters)
    return f"{heading}{more}：\n{body}\n\n{footer}"


def liaison_notice(chapter: str, member: str, year: int, college: str | None) -> str:
    who = f"{member}（{year}届{' ' + college if college else ''}）"
    return f"【{chapter}】新成员：{who}通过公众号加入了分会。"


def join_alert(chapter: str, chapter_id: int, notice: str, liaisons: list[str]) -> str:
    names = "、".join(liaisons) if liaisons else "（尚无联络员）"
    return f"{notice}请转告分会 #{chapter_id} 的联络员：{names}。"


def class_status(status) -> str:
    """我的班级 for one class."""
    name = " ".join(p for p in (status.college, f"{status.graduation_year}届", status.class_name) if p)
    if status.degree:
        name += f"（{status.degree}）"
    lines = [f"我的班级：{name}"]
    ambassador = status.ambassador
    if ambassador is None:
        lines.append("班级联络人：暂无（欢迎联系校友会担任）")
    elif ambassador.is_you:
        lines.append("班级联络人：就是您")
    else:
        role = "年级联络人" if ambassador.for_whole_year else "班级联络人"
        contact = f" {ambassador.contact}" if ambassador.contact else ""
        lines.append(f"{role}：{ambassador.name}{contact}")
    lines.append(f"已在公众号认证的同学：{status.classmates_bound} 人")
    if status.anniversary is not None:
        lines.append(f"返校：今年是毕业 {status.anniversary} 周年，可预约秩年返校，发送「返校」查看开放日期。")
    elif status.next_anniversary is not None:
        year, n = status.next_anniversary
        lines.append(f"返校：今年不是秩年；下一次是 {year} 年（毕业 {n} 周年）。")
    else:
        lines.append("返校：今年不是秩年。")
    return "\n".join(lines)
