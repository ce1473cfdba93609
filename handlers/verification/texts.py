"""Every Chinese sentence of 人工核验 (the bot's dialog, the offer after failed 绑定, the notices
the alumnus gets when staff decide), in one place. Reword freely; the logic lives elsewhere."""

from __future__ import annotations

KEYWORD = "人工审核"

# --- the offer, appended to 绑定's failure reply once it has failed often enough ---
OFFER = f"如果确认信息无误仍无法认证，可以发送「{KEYWORD}」申请校友会工作人员人工核验身份。"

# --- what 人工审核 does, before it is offered ---
EXPLAIN = (f"「{KEYWORD}」：当「绑定」多次核对不成功（例如学籍信息有误、不记得学号），可以把姓名、"
           "毕业年份、学院、专业和毕业证或校友卡的照片交给校友会工作人员人工核验。\n"
           "请先发送「绑定」按提示认证；{failures} 次未成功后即可申请人工审核。")


def explain(failures: int) -> str:
    return EXPLAIN.format(failures=failures)


def not_offered(failures: int) -> str:
    """The API's refusal before it is offered (the mini-program shows it)."""
    return (f"人工核验用于多次认证不成功的情况：请先用姓名和学号认证，{failures} 次未成功后即可申请。")


PENDING = "您已提交过人工审核申请，工作人员正在核验，结果会通过本公众号通知您，请耐心等待。"

# --- the dialog ---
ASK_NAME = ("好的，我们来申请人工审核，共 6 步，发送「取消」可随时退出。\n"
            "1/6 请输入您的姓名（与在校时学籍上的一致）。")
BAD_NAME = "请输入您的姓名（汉字或字母）；发送「取消」退出。"
ASK_YEAR = "2/6 请输入毕业年份（四位数字，例如 2012）。"
BAD_YEAR = "毕业年份应为四位数字，例如 2012；请重新输入，发送「取消」退出。"
ASK_COLLEGE = "3/6 请输入您就读的学院，例如：计算机学院。"
ASK_MAJOR = "4/6 请输入您的专业，例如：软件工程。"
BAD_TEXT = "内容太长或为空，请重新输入（最多 {limit} 个字）；发送「取消」退出。"
SKIP_WORDS = frozenset({"跳过", "没有", "无", "不记得", "skip"})
ASK_STUDENT_ID = "5/6 如记得学号请输入；不记得请回复「跳过」。"
BAD_STUDENT_ID = "学号由数字或字母组成，请重新输入，或回复「跳过」。"
ASK_PHOTO = ("6/6 可以直接发送一张毕业证、学位证或校友卡的照片，帮助工作人员核对；"
             "没有照片请回复「跳过」。")
PHOTO_TEXT = "请发送照片（图片消息），或回复「跳过」；发送「取消」退出。"
CONFIRM_WORDS = frozenset({"确认", "提交", "是", "好", "好的", "1", "ok", "yes"})


def confirm(name: str, year: int, college: str, major: str, student_id: str | None,
            photo: bool) -> str:
    return "\n".join([
        "请核对您的申请：",
        f"姓名：{name}",
        f"毕业年份：{year}",
        f"学院：{college}",
        f"专业：{major}",
        f"学号：{student_id or '未填写'}",
        f"照片：{'已附' if photo else '未附'}",
        "",
        "无误请回复「确认」提交；如需修改请发送「取消」后重新申请。",
    ])


SUBMITTED = ("已提交人工审核申请。工作人员核验后会通过本公众号通知您结果，一般需要几个工作日。"
             "在此期间无需重复申请。")
UNAVAILABLE = "人工审核暂时无法申请，请稍后再试。"

# --- the notices staff's decision sends (through the outbox) ---


def approved(name: str, record: str) -> str:
    return (f"您的人工审核申请已通过：已为您绑定校友身份 {name}（{record}）。\n"
            "现在可以发送「查找 姓名」寻找校友，发送「我的」查看资料。")


def rejected(reason: str) -> str:
    return (f"很抱歉，您的人工审核申请未通过。原因：{reason}\n"
            f"如有疑问请联系校友会；补充信息后可以再次发送「{KEYWORD}」申请。")
