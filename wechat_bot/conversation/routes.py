"""The routing table: the one place to add a command (like a urls.py).

Each line says which input reaches which handler. Keywords list the Chinese word first (the help
text marks a command as open by it), then its aliases.
"""

from handlers import help, push_reports, subscription
from handlers.chapters import bot as chapters
from handlers.directory import bot as directory
from menus.keys import MenuKey
from wechat_bot.conversation.table import RoutingTable, dialog, event, keyword, menu, message

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
        keyword("绑定", "bind", to=directory.bind),
        menu(MenuKey.BIND, to=directory.bind),
        dialog("bind", name=directory.bind_name_step, student_id=directory.bind_student_id_step),
        keyword("解绑", "unbind", to=directory.unbind_command),
        keyword("我的", "me", "profile", to=directory.profile_command),
        menu(MenuKey.PROFILE, to=directory.profile_command),
        keyword("隐私", "privacy", to=directory.privacy_command),
        keyword("查找", "找", "校友", "search", "find", to=directory.search_command),
        keyword("下一页", "next", "more", to=directory.next_page_command),
        menu(MenuKey.ALUMNI_SEARCH, to=directory.search_menu),
        dialog("search", query=directory.search_query_step),
        # chapters, liaisons, 我的班级 (issue 7)
        keyword("分会", "chapter", "chapters", to=chapters.find_command),
        menu(MenuKey.CHAPTER_FIND, to=chapters.find_menu),
        dialog("chapter", where=chapters.where_step),
        message("location", to=chapters.location_message),
        keyword("加入分会", "join", to=chapters.join_command),
        keyword("我的班级", "myclass", "my class", to=chapters.my_class_command),
    ),
    fallback=help.not_understood,
    instant=frozenset({help.show_help, help.not_understood}),
)
