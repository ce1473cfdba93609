"""Every Chinese text of the mentors feature."""

from __future__ import annotations

from models import RequestStatus

USAGE = """校友导师 · 用法
· 导师 行业 城市：找导师（可只写一个词，末尾加数字翻页）
· 请求导师 编号 一句话：请教一位导师
· 我的导师 · 撤回请求 编号
· 成为导师（再发可修改）· 暂停导师 · 恢复导师 · 退出导师
· 接受 编号 · 婉拒 编号：答复收到的请求
导师接受后，双方才能看到彼此留下的联系方式。"""

NOT_BOUND = "校友导师只对已认证的校友开放。请先发送「绑定 姓名 学号」认证身份。"
NO_MENTORS_YET = "目前还没有校友登记为导师。发送「成为导师」，做第一位吧。"
NONE_FOUND = "没有找到符合「{query}」的导师。可以少写一个词再试，或发送「导师」看看全部导师。"

ASK_INDUSTRY = ("欢迎成为校友导师！（随时发送「取消」退出）\n\n"
                "第 1 步，共 5 步：您所在的行业？例如：互联网、金融、教育。{hint}")
ASK_CITY = "第 2 步：您所在的城市？{hint}"
ASK_TOPICS = "第 3 步：您可以和学弟学妹聊哪些话题？一句话即可，例如：求职面试、产品经理入门、读研选择。"
ASK_CONTACT = ("第 4 步：对方的请求被您接受后，您愿意让对方看到哪种联系方式？\n"
               "回复「微信 您的微信号」、「手机」、「邮箱」（用花名册里的，或在后面写上新的），或「不留」。\n"
               "在您接受之前，谁也看不到。")
ASK_CAP = "第 5 步：您每月最多愿意接受几位校友的请求？回复 1 到 {most} 的数字。"
SAME_AS_PROFILE = "回复「同上」沿用资料中的「{value}」。"
SAME_WORDS = {"同上", "同", "是", "好"}

ASK_MENTEE_CONTACT = ("请求导师 #{mentor}：导师接受之后，您愿意让导师看到哪种联系方式？\n"
                      "回复「微信 您的微信号」、「手机」、「邮箱」，或「不留」。（发送「取消」放弃）")
REQUEST_USAGE = "请这样发送：请求导师 编号 想请教的一句话，例如「请求导师 3 想了解产品经理的工作」。"
ANSWER_USAGE = "请在后面写上请求编号，例如「接受 12」或「婉拒 12」。编号见导师请求的推送或「我的导师」。"
WITHDRAW_USAGE = "请在后面写上请求编号，例如「撤回请求 12」。编号见「我的导师」。"

OWN_OFFER = "这是您自己登记的导师信息，不能向自己发出请求。"
MENTOR_PAUSED = "这位导师暂停了接受请求，请稍后再试，或发送「导师」找其他导师。"
MENTOR_FULL = "这位导师本月的名额已满，请下月再试，或发送「导师」找其他导师。"
ALREADY_REQUESTED = "您已经向这位导师发出过请求了。发送「我的导师」查看进展。"
NOT_A_MENTOR = "您还不是校友导师。发送「成为导师」登记。"
PAUSED = "已暂停：您不再出现在导师列表中，也不会收到新请求；已收到的请求仍可答复。发送「恢复导师」恢复。"
RESUMED = "已恢复：您重新出现在导师列表中，可以收到新请求了。"
WITHDRAWN = "您已退出校友导师。尚未答复的请求已关闭并通知了对方。感谢您的付出！想回来时发送「成为导师」。"
HIDDEN_NOTE = ("\n\n注意：您的隐私设置是「隐藏」，导师列表不会显示您（隐藏优先于导师登记）。"
               "想被找到，请发送「隐私 同学」或「隐私 公开」。")


def cap_range(most: int) -> str:
    return f"每月名额请回复 1 到 {most} 之间的数字。"


def mentor_saved(mentor, contact_shown: str, hidden: bool) -> str:
    return (f"已登记为校友导师（编号 {mentor.id}）：\n行业：{mentor.industry}\n城市：{mentor.city}\n"
            f"话题：{mentor.topics}\n接受后给对方看的联系方式：{contact_shown}\n每月名额：{mentor.monthly_cap} 位\n\n"
            "有校友请求时会通过本公众号通知您，回复「接受 编号」或「婉拒 编号」。"
            "发送「暂停导师」「退出导师」可随时暂停或退出。" + (HIDDEN_NOTE if hidden else ""))


def no_such_mentor(number: int) -> str:
    return f"没有编号为 {number} 的导师（或对方已暂停、退出）。发送「导师」查看导师列表。"


def no_such_received(number: int) -> str:
    return (f"您没有收到编号为 {number} 的导师请求。发送「我的导师」查看。\n"
            f"（如果是活动候补名额，请发送「确认 {number}」。）")


def no_such_sent(number: int) -> str:
    return f"您没有编号为 {number} 的导师请求。发送「我的导师」查看。"


STATUS_WORDS = {RequestStatus.OPEN: "等待答复", RequestStatus.ACCEPTED: "已接受",
                RequestStatus.DECLINED: "已婉拒", RequestStatus.WITHDRAWN: "已撤回",
                RequestStatus.CLOSED: "已关闭（导师已退出）"}


def already_answered(number: int, status: RequestStatus) -> str:
    return f"请求 #{number} 已是「{STATUS_WORDS[status]}」，无需再操作。"


def too_many_open(limit: int) -> str:
    return (f"您已有 {limit} 个请求在等待导师答复，请等对方答复，或发送「撤回请求 编号」撤回一个后再发。")


def request_sent(number: int, name: str) -> str:
    return (f"请求 #{number} 已发给导师{name}。对方答复后会通知您；接受后您会看到对方留下的联系方式。"
            "发送「我的导师」查看进展。")


def request_notice(number: int, who, message: str) -> str:
    return (f"【校友导师请求 #{number}】\n{who.line()}想请您指导：\n「{message}」\n\n"
            f"回复「接受 {number}」同意（之后双方可见彼此留下的联系方式），或「婉拒 {number}」。")


def accepted_notice(number: int, mentor_name: str, contact) -> str:
    return (f"好消息：导师{mentor_name}接受了您的请求 #{number}。\n"
            f"导师留下的联系方式：{contact.shown()}\n发送「我的导师」随时查看。")


def declined_notice(number: int, mentor_name: str) -> str:
    return (f"导师{mentor_name}暂时无法接受您的请求 #{number}，感谢理解。"
            "发送「导师」可以找其他导师。")


def withdrawn_notice(number: int) -> str:
    return f"校友导师请求 #{number} 已被对方撤回，无需再答复。"


def request_closed(number: int) -> str:
    return f"您的导师请求 #{number} 已关闭：这位导师已退出校友导师。发送「导师」可以找其他导师。"


def accepted_reply(number: int, mentee_line: str, contact) -> str:
    return (f"已接受请求 #{number}，对方已收到通知和您留下的联系方式。\n"
            f"{mentee_line} 留下的联系方式：{contact.shown()}")


def declined_reply(number: int) -> str:
    return f"已婉拒请求 #{number}，对方已收到通知。"


def withdrew_reply(number: int) -> str:
    return f"已撤回请求 #{number}。"


# WeChat cuts a passive text reply at 2048 bytes: lists shorten long fields and stop in time.
REPLY_BYTES = 2000


def short(text: str, most: int = 40) -> str:
    return text if len(text) <= most else text[:most - 1] + "…"


def fitted(head: list[str], items: list[str], tail: list[str]) -> str:
    """head, as many items as fit within one reply, tail."""
    while True:
        text = "\n".join([*head, *items, *tail])
        if len(text.encode()) <= REPLY_BYTES or not items:
            return text
        items = items[:-1]


def mentor_list(page, heading: str, more_command: str | None) -> str:
    items = []
    for card in page.mentors:
        full = "（本月名额已满）" if card.full else ""
        items.append(f"\n#{card.id} {card.person.line()}{full}\n  {short(card.industry, 12)} · {short(card.city, 12)}\n"
                     f"  可聊：{short(card.topics, 30)}")
    tail = ["\n请求指导：请求导师 编号 一句话"]
    if more_command:
        tail.append(f"第 {page.page}/{page.pages} 页，下一页：{more_command}")
    return fitted([heading], items, tail)


def mine(views, mentor_line: str | None) -> str:
    lines = []
    if mentor_line:
        lines.append(mentor_line)
    if not views:
        lines.append("您还没有导师请求。发送「导师」找导师。")
        return "\n".join(lines)
    lines.append("我的导师请求（新的在前）：")
    items = []
    for v in views:
        arrow = f"我 → 导师{v.other.name}" if v.sent else f"{v.other.line()} → 我"
        line = f"\n#{v.id} {arrow} · {STATUS_WORDS[v.status]}\n  「{short(v.message)}」"
        if v.contact is not None:
            line += f"\n  对方的联系方式：{v.contact.shown()}"
        elif not v.sent and v.status is RequestStatus.OPEN:
            line += f"\n  回复「接受 {v.id}」或「婉拒 {v.id}」"
        items.append(line)
    return fitted(lines, items, [])


MENTOR_STATUS_WORDS = {"active": "接受请求中", "paused": "已暂停", "withdrawn": "已退出"}


def my_offer(mentor) -> str:
    return (f"我的导师登记（编号 {mentor.id}，{MENTOR_STATUS_WORDS[mentor.status.value]}）："
            f"{mentor.industry} · {mentor.city} · 每月 {mentor.monthly_cap} 位")
