"""Every Chinese sentence the circles feature says to alumni."""

from __future__ import annotations

from datetime import timedelta

KIND_NAMES = {"class": "班级圈", "interest": "兴趣圈"}
ROLE_ADMIN = "圈管理员"

# --- refusals ------------------------------------------------------------------------------------
NOT_BOUND = "校友圈只对已认证的校友开放：请先发送「绑定 姓名 学号」。"
NO_SUCH_CIRCLE = "没有编号为 {number} 的校友圈。发送「校友圈」查看可加入的圈子及其编号。"
NOT_IN_CLASS = "「{name}」是班级圈，只有该学院该届的校友可以加入。"
REMOVED_CANNOT_JOIN = "您已被圈管理员移出「{name}」，不能自行重新加入；如有疑问请联系校友会。"
ALREADY_MEMBER = "您已经在「{name}」里了。发送「校友圈」查看您的圈子。"
NOT_MEMBER = "您不在「{name}」里。"
MEMBERS_NOT_MEMBER = "只有「{name}」的成员才能查看成员名单：先发送「加入校友圈 编号」加入。"
NOT_ADMIN = "只有「{name}」的圈管理员可以这样做。"
NO_SUCH_MEMBER = "圈成员名单里没有这位校友。发送「圈成员 编号」查看名单。"
AMBIGUOUS_MEMBER = "圈里有不止一位「{name}」，请在姓名后加上毕业年份，例如「移出圈成员 3 {name} 2016」。"
CANNOT_REMOVE = "圈管理员不能移出自己或其他圈管理员；如需调整请联系校友会。"

# --- proposing -------------------------------------------------------------------------------
PROPOSE_USAGE = ("请在「创建校友圈」后写上圈子的名称，可再加一句简介，例如"
                 "「创建校友圈 羽毛球 周末一起打球」。校友会审核通过后，您就是这个圈的圈管理员。")
NAME_TOO_LONG = "圈子名称最多 {limit} 个字。"
NAME_BAD_CHARACTERS = "圈子名称只能包含汉字、字母、数字和空格。"
NAME_TAKEN = "已有名为「{name}」的校友圈（或正在审核）。发送「校友圈」查看可加入的圈子。"
TOO_MANY_PROPOSALS = "您已有 {limit} 个校友圈申请在等待审核，请等校友会处理后再申请。"
PROPOSED = "已提交创建「{name}」的申请（编号 {number}），校友会审核后会通知您。"

# --- notices ---------------------------------------------------------------------------------
NOTICE_USAGE = "请在「圈通知 编号」后写上通知内容，例如「圈通知 3 周六上午九点体育馆见」。"
NOTICE_TOO_LONG = "圈通知最多 {limit} 个字，请精简后再发。"
NOTICE_UNAVAILABLE = "圈通知暂时无法发送，请稍后再试。"
NOTICE_NOBODY = "圈里还没有其他成员，通知没有发出。"
NOTICE_SENT = "圈通知已发给「{name}」的 {count} 位成员（退订了「校友圈」推送的成员不会收到）。"

# --- the bot's usage lines ---------------------------------------------------------------------
JOIN_USAGE = "请在「加入校友圈」后写上圈子编号，例如「加入校友圈 3」。发送「校友圈」查看编号。"
LEAVE_USAGE = "请在「退出校友圈」后写上圈子编号，例如「退出校友圈 3」。发送「校友圈」查看编号。"
MEMBERS_USAGE = "请在「圈成员」后写上圈子编号，例如「圈成员 3」。"
REMOVE_USAGE = "请写上圈子编号和成员姓名，例如「移出圈成员 3 张伟」（同名时再加毕业年份）。"
JOINED = "您已加入「{name}」。发送「圈成员 {number}」查看成员，圈通知会推送给您。"
LEFT = "您已退出「{name}」，不会再收到它的圈通知。想回来时发送「加入校友圈 {number}」。"
REMOVED = "已将 {member} 移出「{name}」。"
REMOVED_NOTICE = "您已被圈管理员移出校友圈「{name}」。如有疑问请联系校友会。"

HOW_TO = ("加入：「加入校友圈 编号」 · 退出：「退出校友圈 编号」\n"
          "成员：「圈成员 编号」 · 创建兴趣圈：「创建校友圈 名称 简介」\n"
          "圈管理员：「圈通知 编号 内容」「移出圈成员 编号 姓名」")


def circle_line(view) -> str:
    role = f" · {ROLE_ADMIN}" if view.role == "admin" else ""
    return f"[{view.id}] {view.name}（{KIND_NAMES[view.kind]} · {view.members} 人{role}）"


def overview(mine, open_ones) -> str:
    """校友圈: one's own circles, those one may join, and how."""
    lines = ["我的校友圈：" if mine else "您还没有加入校友圈。"]
    lines += [circle_line(v) for v in mine]
    if open_ones:
        lines += ["", "可加入的校友圈："]
        lines += [circle_line(v) + (f"\n  {v.intro}" if v.intro else "") for v in open_ones]
    lines += ["", HOW_TO]
    return "\n".join(lines)


def member_line(number: int, member) -> str:
    head = f"{number}. {member.name}（{member.degree + ' ' if member.degree else ''}{member.graduation_year}届）"
    if member.admin:
        head += f" {ROLE_ADMIN}"
    study = "/".join(p for p in (member.college, member.major) if p)
    details = " · ".join(p for p in (study, member.city, member.employer) if p)
    return f"{head}\n   {details}" if details else head


def member_page(name: str, lines: list[str], total_shown: int, unlisted: int) -> str:
    head = f"「{name}」的成员（{total_shown} 位"
    head += f"，另有 {unlisted} 位按隐私设置不公开）：" if unlisted else "）："
    more = ["", f"（只显示前 {len(lines)} 位）"] if len(lines) < total_shown else []
    return "\n".join([head, *lines, *more])


def notice(circle: str, author: str, text: str) -> str:
    return f"【校友圈·{circle}】{author}：{text}\n（回复「退订 校友圈」不再接收圈通知）"


def notice_limit(limit: int, wait: timedelta) -> str:
    hours = max(1, -(-int(wait.total_seconds()) // 3600))
    return f"每个校友圈 24 小时内最多发 {limit} 条圈通知，请约 {hours} 小时后再发。"


def approved(name: str, number: int) -> str:
    return (f"您申请创建的校友圈「{name}」已通过审核（编号 {number}），您是它的圈管理员。"
            f"把编号告诉同好，发送「加入校友圈 {number}」即可加入；「圈通知 {number} 内容」可给成员发通知。")


def rejected(name: str, note: str | None) -> str:
    reason = f"原因：{note}。" if note else ""
    return f"您申请创建的校友圈「{name}」未通过审核。{reason}如有疑问请联系校友会。"
