"""Every Chinese text of 我的数据 and 注销, for the bot, the download page and the API."""

from __future__ import annotations

from handlers.privacy.export import KINDS


def my_data_reply(counts: dict[str, int], link: str | None, minutes: int) -> str:
    lines = ["【我的数据】本系统保存的关于您的信息："]
    lines += [f"· {KINDS[kind]}：{n} 条" for kind, n in counts.items() if n]
    if not any(counts.values()):
        lines.append("· 除微信关注信息外没有其他记录")
    if link:
        lines.append(f"完整数据（JSON 文件）请在 {minutes} 分钟内用浏览器打开下载：\n{link}")
        lines.append("链接只对应您本人的数据，请勿转发给他人；过期后再发「我的数据」获取新链接。")
    else:
        lines.append("下载链接暂时无法生成，请稍后再试，或在小程序中导出。")
    lines.append("如需删除账号和您提供的信息，发送「注销」。")
    return "\n".join(lines)


ASK_CONFIRM = (
    "【注销账号】注销后将：\n"
    "· 解除微信与校友身份（学籍）的绑定，学籍记录由学校保留，恢复为名册中的信息；\n"
    "· 删除您修改的城市/单位/行业、隐私设置、推送偏好与订阅、消息与查询记录；\n"
    "· 取消您尚未开始的返校预约和活动报名（名额让给候补），退出分会、校友圈和校友导师；\n"
    "· 尚未发出的推送不再发送。\n"
    "此操作不可撤销。确认请回复「确认注销」，放弃请回复「取消」。"
)
ASK_AGAIN = "请回复「确认注销」注销账号，或回复「取消」放弃。"
CANCELLED_BY_USER = "已取消注销，您的账号和数据保持不变。"


def erased_reply(records: int, bookings: int, registrations: int) -> str:
    lines = ["您的账号已注销：已解除绑定，您提供的信息已删除。"]
    if records:
        lines.append(f"· 解除绑定的学籍：{records} 条（学籍记录由学校保留）")
    if bookings:
        lines.append(f"· 处理的返校预约：{bookings} 个")
    if registrations:
        lines.append(f"· 取消的活动报名：{registrations} 个")
    lines.append("感谢您一直以来的关注。如需再次使用，发送「绑定」重新认证即可。")
    return "\n".join(lines)


# The download page (a browser, outside WeChat).
LINK_BAD = "这个下载链接无效：可能复制不完整或已被改动。请在公众号中重新发送「我的数据」获取新链接。"
LINK_EXPIRED = "这个下载链接已过期。请在公众号中重新发送「我的数据」获取新链接。"
LINK_GONE = "这个账号已注销，没有可下载的数据。"
