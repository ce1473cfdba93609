"""The routing table: the one place to add a command (like a urls.py).

Each line says which input reaches which handler; a feature's dialog (declared in its own
folder, see handlers.dialog) is listed with the commands that start it. Keywords list the
Chinese word first (the help text marks a command as open by it), then its aliases, and what may
follow them (`takes`, see table.py: a keyword is matched whole, so 我的预约 is never 我的 + 预约).
Every keyword of SPEC 5 and every menu key is here: a feature not yet built answers through
handlers.coming, naming what works today, until its issue routes the real handlers instead.
"""

from handlers import help, push_reports, subscription
from handlers.card import bot as card
from handlers.chapters import bot as chapters
from handlers.circles import bot as circles
from handlers.consent import bot as consent
from handlers.directory import bot as directory
from handlers.directory import editing
from handlers.events import bot as events
from handlers.events import checkin
from handlers.mentors import bot as mentors
from handlers.privacy import bot as privacy
from handlers.publications import bot as news
from handlers.reunion import bot as reunion
from handlers.reunion import feedback as reunion_feedback
from handlers.reunion import pass_bot as reunion_pass
from handlers.verification import bot as verification
from menus.keys import MenuKey
from wechat_bot.conversation.table import (
    ANYTHING,
    NUMBER,
    SPACED,
    RoutingTable,
    dialog,
    event,
    keyword,
    menu,
    message,
    scan,
)

# Argument shapes for arguments glued to a Chinese keyword (绑定张伟 2012010101, 隐私公开).
NAME_AND_ID = r"[\u3400-\u9fff·]{2,20}( ?[0-9a-z-]*\d[0-9a-z-]*)?"
PRIVACY_LEVEL = r"公开|同学|隐藏"
STUDENT_ID = r"[0-9a-z-]*\d[0-9a-z-]*"
PLACE = r"[\u3400-\u9fff]{2,12}"
DATE_AND_PEOPLE = r"\d{4}-\d{1,2}-\d{1,2}.*"

ROUTES = RoutingTable(
    routes=(
        keyword("帮助", "help", "?", "菜单", "menu", to=help.show_help),
        menu(MenuKey.HELP, to=help.show_help),
        event("subscribe", to=subscription.on_subscribe),
        event("unsubscribe", to=subscription.on_unsubscribe),
        event("LOCATION", to=subscription.on_location_report),
        # WeChat's reports on our template messages and mass sends (docs/pushes.md)
        event("TEMPLATESENDJOBFINISH", to=push_reports.on_template_report),
        event("MASSSENDJOBFINISH", to=push_reports.on_mass_report),
        # the alumni directory (issue 4)
        dialog(directory.BIND_DIALOG,
               keyword("绑定", "bind", to=directory.bind, takes=NAME_AND_ID),
               menu(MenuKey.BIND, to=directory.bind)),
        dialog(verification.VERIFY_DIALOG, keyword("人工审核", "人工核验", "verify", to=verification.start)),
        keyword("解绑", "unbind", to=directory.unbind_command, takes=STUDENT_ID),
        keyword("我的", "me", "profile", to=directory.profile_command),
        menu(MenuKey.PROFILE, to=directory.profile_command),
        dialog(editing.EDIT_DIALOG,
               keyword("修改", "edit", to=editing.edit_profile_command, takes=editing.EDIT_SHAPE),
               keyword("修改资料", to=editing.edit_profile_command)),
        keyword("隐私", "privacy", to=directory.privacy_command, takes=PRIVACY_LEVEL),
        keyword("查找", "search", "find", to=directory.search_command, takes=ANYTHING),
        # everyday words begin with these (找工作, 校友会在哪): a search only with a space
        keyword("找", "校友", to=directory.search_command, takes=SPACED),
        keyword("下一页", "next", "more", to=directory.next_page_command),
        dialog(directory.SEARCH_DIALOG, menu(MenuKey.ALUMNI_SEARCH, to=directory.search_menu)),
        # chapters, liaisons, 我的班级 (issue 7)
        dialog(chapters.CHAPTER_DIALOG,
               keyword("分会", "chapter", "chapters", to=chapters.find_command, takes=PLACE),
               menu(MenuKey.CHAPTER_FIND, to=chapters.find_menu)),
        message("location", to=chapters.location_message),
        keyword("加入分会", "join", to=chapters.join_command, takes=ANYTHING),
        keyword("我的班级", "myclass", "my class", to=chapters.my_class_command),
        # 秩年返校 (issue 21)
        dialog(reunion.BOOK_DIALOG,
               keyword("返校", "reunion", to=reunion.info_command),
               menu(MenuKey.REUNION_INFO, to=reunion.info_command)),
        keyword("预约返校", to=reunion.book_command, takes=DATE_AND_PEOPLE),
        keyword("我的预约", to=reunion.mine_command),
        menu(MenuKey.REUNION_MINE, to=reunion.mine_command),
        keyword("取消预约", to=reunion.cancel_command, takes=NUMBER),
        dialog(reunion.JOIN_DIALOG, keyword("加入返校", to=reunion.join_command, takes=NUMBER)),
        keyword("我的返校码", "返校码", to=reunion_pass.my_pass),
        dialog(reunion_feedback.FEEDBACK_DIALOG,
               keyword("返校评价", to=reunion_feedback.feedback_command, takes=SPACED)),
        # events (issue 22)
        keyword("活动", "events", to=events.list_command),
        menu(MenuKey.EVENT_LIST, to=events.list_command),
        dialog(events.SIGNUP_DIALOG, keyword("报名", to=events.signup_command, takes=NUMBER)),
        keyword("取消报名", to=events.cancel_command, takes=NUMBER),
        keyword("我的活动", to=events.mine_command),
        menu(MenuKey.EVENT_MINE, to=events.mine_command),
        keyword("确认", to=events.confirm_command, takes=NUMBER),
        scan(checkin.SCENE_PREFIX, to=checkin.on_scan),
        keyword("现场报名", to=checkin.walk_in_command, takes=NUMBER),
        keyword("活动签到码", "签到码", to=checkin.my_code_command, takes=NUMBER),
        # campus services (issue 24): coming
        keyword("退订", "unsubscribe", to=consent.unsubscribe_command, takes=PLACE),  # issue 20
        keyword("订阅", "subscribe", to=consent.subscribe_command, takes=PLACE),
        keyword("新闻", "news", to=news.news_command, takes=ANYTHING),
        menu(MenuKey.NEWS, to=news.news_command),
        keyword("校友卡", "card", to=card.card_command),
        keyword("校友圈", "circles", to=circles.overview_command),  # issue 24: alumni circles
        keyword("加入校友圈", to=circles.join_command, takes=NUMBER),
        keyword("退出校友圈", to=circles.leave_command, takes=NUMBER),
        keyword("创建校友圈", to=circles.propose_command, takes=ANYTHING),
        keyword("圈成员", to=circles.members_command, takes=NUMBER),
        keyword("圈通知", to=circles.notice_command, takes=ANYTHING),
        keyword("移出圈成员", to=circles.remove_command, takes=ANYTHING),
        # mentors (issue 24, docs/mentors.md)
        keyword("导师", "mentors", to=mentors.find_command, takes=SPACED),
        dialog(mentors.OFFER_DIALOG, keyword("成为导师", to=mentors.offer_command)),
        keyword("暂停导师", to=mentors.pause_command),
        keyword("恢复导师", to=mentors.resume_command),
        keyword("退出导师", to=mentors.withdraw_command),
        dialog(mentors.REQUEST_DIALOG,
               keyword("请求导师", to=mentors.request_command, takes=r"#?\d{1,9}.*")),
        keyword("接受", "接受请求", to=mentors.accept_command, takes=NUMBER),
        keyword("婉拒", "婉拒请求", to=mentors.decline_command, takes=NUMBER),
        keyword("撤回请求", to=mentors.withdraw_request_command, takes=NUMBER),
        keyword("我的导师", to=mentors.mine_command),
        # data protection (issue 25, docs/privacy.md)
        keyword("我的数据", to=privacy.my_data_command),
        dialog(privacy.ERASE_DIALOG, keyword("注销", to=privacy.erase_command)),
    ),
    fallback=help.not_understood,
    instant=frozenset({help.show_help, help.not_understood}),
)
