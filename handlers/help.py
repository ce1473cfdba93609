"""The command list: every command of SPEC 5, those not yet open marked as coming."""

from __future__ import annotations

from handlers.context import Context

# (keyword the router knows it by, how the alumnus types it, what it does)
COMMANDS: tuple[tuple[str, str, str], ...] = (
    ("绑定", "绑定 姓名 学号", "认证校友身份（也可只发「绑定」按提示填写）"),
    ("人工审核", "人工审核", "绑定多次不成功时，申请工作人员人工核验身份"),
    ("解绑", "解绑", "解除微信与校友身份的绑定"),
    ("我的", "我的", "查看我的校友资料与隐私设置"),
    ("修改", "修改 城市/单位/行业 新内容", "更新我的所在城市、工作单位或行业"),
    ("隐私", "隐私 公开/同学/隐藏", "设置谁能查到我"),
    ("查找", "查找 姓名/拼音/年份/学院/城市/单位", "查找校友（也可用「找 张伟」「校友 张伟」）"),
    ("分会", "分会 · 分会 城市 · 发送位置", "查找附近的校友分会与联络员"),
    ("加入分会", "加入分会 编号", "加入一个校友分会"),
    ("我的班级", "我的班级", "本班的班级联络人与秩年返校情况"),
    ("返校", "返校", "查看本班秩年返校资格与开放日期，并按提示预约"),
    ("预约返校", "预约返校 YYYY-MM-DD 人数", "直接预约某天返校（默认含校园导览和午餐）"),
    ("我的预约", "我的预约 · 取消预约 编号", "查看或取消返校预约"),
    ("加入返校", "加入返校 编号", "加入本班的返校预约，可带家属"),
    ("我的返校码", "我的返校码", "返校当天的入校码"),
    ("返校评价", "返校评价 编号 1-5 一句话", "返校之后为这次返校打分"),
    ("活动", "活动", "近期校友活动"),
    ("报名", "报名 编号 · 取消报名 编号", "报名或取消报名活动"),
    ("我的活动", "我的活动", "我报名的活动"),
    ("确认", "确认 编号", "接受候补名额"),
    ("活动签到码", "活动签到码 编号", "活动现场给工作人员扫的签到码"),
    ("退订", "退订/订阅 类别", "管理推送订阅"),
    ("新闻", "新闻 · 新闻 类别", "校园新闻、校报、校友通讯、校史"),
    ("校友卡", "校友卡", "电子校友卡"),
    ("校友圈", "校友圈 · 加入/退出/创建校友圈", "我的校友圈（发「校友圈」看全部用法）"),
    ("导师", "导师 行业 城市 · 成为导师", "校友导师（发「导师」看全部用法）"),
    ("我的数据", "我的数据 · 注销", "下载我的全部数据 · 注销账号（解绑并删除）"),
    ("取消", "取消", "退出当前对话"),
    ("帮助", "帮助", "显示本列表"),
)

COMING = "即将开放："


def open_commands(available: frozenset[str]) -> list[str]:
    """The keywords of the commands that work today, in the help's order (取消 and 帮助 aside)."""
    return [keyword for keyword, _, _ in COMMANDS
            if keyword in available and keyword not in ("取消", "帮助")]


def help_text(school_name: str, available: frozenset[str]) -> str:
    """Open commands with their usage; those still coming on one line, so it stays short."""
    lines = [f"{school_name}校友会 · 可用指令：", ""]
    coming = []
    for keyword, usage, meaning in COMMANDS:
        if keyword in available:
            lines.append(f"· {usage}\n  {meaning}")
        else:
            coming.append(keyword)
    if coming:
        lines += ["", COMING + "、".join(coming)]
    lines += ["", "也可以点击下方菜单。"]
    return "\n".join(lines)


def show_help(ctx: Context) -> str:
    return help_text(ctx.settings.school_name, ctx.available_commands)


def not_understood(ctx: Context) -> str:
    return "没有听懂您的意思，以下是可用的指令：\n\n" + show_help(ctx)
