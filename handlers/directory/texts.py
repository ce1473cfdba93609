"""Every Chinese sentence the directory says (binding, privacy, 我的, search), in one place.

Reword freely here; the logic lives elsewhere. Functions below only put values into sentences.
"""

from __future__ import annotations

import math

from models import Privacy

# --- binding ---
NEED_BIND = "请先认证校友身份：发送「绑定 姓名 学号」，例如「绑定 张伟 2012010101」，或只发「绑定」按提示填写。"
BIND_ASK_NAME = "好的，我们来认证校友身份。\n请输入您的姓名（与在校时学籍上的一致）。\n发送「取消」可随时退出。"
BIND_ASK_NAME_AGAIN = "请输入您的姓名；发送「取消」退出。"
BIND_ASK_STUDENT_ID = "请输入学号。"
BIND_BAD_STUDENT_ID = "学号由数字或字母组成，请重新输入；发送「取消」退出。"
BIND_ALREADY = "该身份已绑定在您的微信上，无需重复绑定。发送「我的」查看资料。"
BIND_NO_MATCH = "没有找到与该姓名和学号相符的学籍，请核对后再试。"
BIND_TAKEN = "该身份已被其他微信账号绑定，如有疑问请联系校友会。"
BIND_UNAVAILABLE = "绑定暂时无法进行，请稍后再试。"
BIND_DONE_HINT = "现在可以发送「查找 姓名」寻找校友，发送「我的」查看资料。"

# --- unbinding ---
UNBIND_NOTHING = "您还没有绑定校友身份，无需解绑。"
UNBIND_HINT = "如需重新绑定，发送「绑定」即可。"

# --- privacy ---
PRIVACY_NAMES = {Privacy.PUBLIC: "公开", Privacy.CLASSMATES: "同学", Privacy.HIDDEN: "隐藏"}
PRIVACY_MEANINGS = {
    Privacy.PUBLIC: "所有已认证的校友都能查到您",
    Privacy.CLASSMATES: "只有同学院、同届的校友能查到您",
    Privacy.HIDDEN: "任何人都查不到您",
}
PRIVACY_USAGE = "修改请发送「隐私 公开」「隐私 同学」或「隐私 隐藏」。"
NEVER_SHOWN = "您的手机和邮箱在任何情况下都不会展示给其他校友。"

# --- search ---
SEARCH_HOWTO = ("想找哪位校友？在「查找」后面写上关键词，例如：\n"
                "· 查找 张伟\n· 查找 zhangwei（全拼）\n· 查找 zw 2012（首字母 + 毕业年份）\n"
                "· 查找 计算机学院 上海\n几个词用空格隔开，结果会同时满足。")
SEARCH_ASK = ("请输入要查找的校友：姓名、拼音或首字母，还可以加上毕业年份、学院、城市或单位，"
              "例如「张伟 2012」。\n发送「取消」退出。")
SEARCH_NOTHING = ("没有找到符合条件的校友。\n可以换个写法（全拼、首字母），或减少几个条件再试；"
                  "也可能对方选择了不公开。")
SEARCH_MORE = "发送「下一页」查看更多"
SEARCH_LAST_PAGE = "已经是最后一页了。可以发送「查找 …」换个条件再找。"
NEXT_UNAVAILABLE = "暂时无法翻页，请稍后再试；也可以加上毕业年份、学院等条件重新查找，例如「查找 张伟 2012」。"
NEXT_WITHOUT_SEARCH = "还没有可以翻页的查找结果。请先发送「查找 姓名」，例如「查找 张伟」。"
SEARCH_FAILED = "查找暂时出了点问题，请稍后再试。"


def wait_text(seconds: int) -> str:
    """3600 -> '1 小时'; 125 -> '3 分钟'; always at least a minute."""
    minutes = max(1, math.ceil(seconds / 60))
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return f"{hours} 小时 {rest} 分钟"
    return f"{hours} 小时" if hours else f"{minutes} 分钟"


def bind_locked(seconds: int) -> str:
    return f"绑定尝试次数较多，为保护校友信息已暂停绑定，请约 {wait_text(seconds)}后再试。如有疑问请联系校友会。"


def bind_no_match(attempts_left: int | None, locked_for: int) -> str:
    if locked_for:
        return f"{BIND_NO_MATCH}\n\n{bind_locked(locked_for)}"
    if attempts_left is not None and attempts_left <= 2:
        return f"{BIND_NO_MATCH}（一小时内还可尝试 {attempts_left} 次）"
    return BIND_NO_MATCH


def bind_ask_name_bound(names: list[str]) -> str:
    return (f"您已绑定「{'、'.join(names)}」的身份。如需再绑定本人的另一段学籍（例如硕士），"
            f"请输入姓名；发送「取消」退出。")


def bind_other_person(name: str) -> str:
    return (f"您的微信已绑定「{name}」的身份。一个微信账号只能绑定本人的学籍；"
            "如需更换，请先发送「解绑」。")


def record_line(degree: str | None, year: int, college: str | None, major: str | None,
                class_name: str | None = None) -> str:
    head = f"{degree} {year}届" if degree else f"{year}届"
    return " ".join(part for part in (head, college, major, class_name) if part)


def bind_success(name: str, record: str, privacy: Privacy) -> str:
    return (f"绑定成功！欢迎您，{name}校友（{record}）。\n"
            f"目前{PRIVACY_MEANINGS[privacy]}，发送「隐私」可以修改。\n{BIND_DONE_HINT}")


def unbind_done(records: list[str]) -> str:
    lines = "\n".join(f"· {r}" for r in records)
    return f"已解除绑定：\n{lines}\n{UNBIND_HINT}"


def unbind_no_such(student_id: str) -> str:
    return f"您绑定的学籍中没有学号 {student_id}。发送「我的」查看已绑定的学籍，或发送「解绑」全部解除。"


def privacy_explained(current: Privacy) -> str:
    lines = [f"您当前的隐私设置：{PRIVACY_NAMES[current]}（{PRIVACY_MEANINGS[current]}）", ""]
    for level in Privacy:
        default = "（默认）" if level is Privacy.CLASSMATES else ""
        lines.append(f"· {PRIVACY_NAMES[level]}：{PRIVACY_MEANINGS[level]}{default}")
    lines += ["", PRIVACY_USAGE, NEVER_SHOWN]
    return "\n".join(lines)


def privacy_set(level: Privacy) -> str:
    return f"已将隐私设置为「{PRIVACY_NAMES[level]}」：{PRIVACY_MEANINGS[level]}。\n{NEVER_SHOWN}"


def privacy_unknown(word: str) -> str:
    return f"没有「{word}」这个选项。{PRIVACY_USAGE}"


def profile_text(name: str, records: list[str], city: str | None, employer: str | None,
                 industry: str | None, phone_masked: str | None, privacy: Privacy) -> str:
    lines = [f"{name}校友，您的资料：", "学籍："]
    lines += [f"· {r}" for r in records]
    lines.append(f"所在城市：{city or '未填写'}")
    lines.append(f"工作单位：{employer or '未填写'}")
    lines.append(f"行业：{industry or '未填写'}")
    if phone_masked:
        lines.append(f"手机：{phone_masked}（仅您本人可见）")
    lines.append(f"隐私：{PRIVACY_NAMES[privacy]}（{PRIVACY_MEANINGS[privacy]}）")
    lines += ["", "发送「修改资料」更新所在城市、工作单位或行业；",
              "发送「隐私 公开/同学/隐藏」修改谁能查到您；发送「解绑」解除绑定。"]
    return "\n".join(lines)


# --- 修改资料, 修改 城市/单位/行业 ---
EDIT_HOWTO = ("可以修改三项资料，格式如下：\n· 修改 城市 南京\n· 修改 单位 某某科技有限公司\n"
              "· 修改 行业 互联网\n也可只发「修改资料」按提示填写。"
              "姓名、学号等学籍信息如有错误，请联系校友会更正。")
EDIT_ASK_FIELD_AGAIN = "请回复 1、2 或 3 选择要修改的项目；发送「取消」退出。"
EDIT_TRY_AGAIN = "请重新输入；发送「取消」退出。"


def edit_unknown(word: str) -> str:
    return f"没有「{word}」这一项。{EDIT_HOWTO}"


def edit_ask_field(fields: list[tuple[str, str | None]]) -> str:
    lines = ["要修改哪一项？请回复序号："]
    lines += [f"{n}. {label}（现在：{value or '未填写'}）" for n, (label, value) in enumerate(fields, 1)]
    lines.append("姓名、学号等学籍信息如有错误，请联系校友会更正。发送「取消」退出。")
    return "\n".join(lines)


def edit_ask_value(label: str) -> str:
    return f"请输入新的{label}；回复「清除」可恢复为学籍中的信息，发送「取消」退出。"


def edit_done(label: str, value: str | None) -> str:
    if value is None:
        return f"已清除您填写的{label}，将显示学籍中的信息。发送「我的」查看资料。"
    return f"已将{label}更新为「{value}」。发送「我的」查看资料。"


def search_limited(limit: int, seconds: int) -> str:
    return (f"为保护校友信息，每小时最多查找 {limit} 次，您已达到上限。"
            f"请约 {wait_text(seconds)}后再试，谢谢理解。")


def search_page_limit(pages: int) -> str:
    return (f"结果较多，已为您显示前 {pages} 页。请加上毕业年份、学院或城市缩小范围，"
            "例如「查找 张伟 2012 上海」。")


def hit_lines(number: int, name: str, degree: str | None, year: int, college: str | None,
              major: str | None, city: str | None, employer: str | None) -> str:
    head = f"{number}. {name}（{degree} {year}届）" if degree else f"{number}. {name}（{year}届）"
    study = "/".join(part for part in (college, major) if part)
    details = " · ".join(part for part in (study, city, employer) if part)
    return f"{head}\n   {details}" if details else head


def search_page(page: int, hits: list[str], has_more: bool) -> str:
    lines = [f"为您找到以下校友（第 {page} 页）：", *hits]
    if has_more:
        lines += ["", SEARCH_MORE]
    return "\n".join(lines)


# --- a binding conflict, as staff resolved it (notices through the outbox) ---
def conflict_kept_holder(name: str) -> str:
    return (f"您申请绑定的「{name}」的学籍，经校友会核实，仍由原来的微信账号绑定，您的申请未通过。"
            "如有疑问请联系校友会。")


def conflict_unbound_holder(name: str, student_id: str) -> str:
    return (f"经校友会核实，「{name}」（学号 {student_id}）的学籍已从您的微信上解除绑定。"
            "如有疑问请联系校友会。")


def conflict_kept_claimant(name: str, record: str) -> str:
    return (f"经校友会核实，已为您绑定校友身份 {name}（{record}）。"
            f"{BIND_DONE_HINT}")
