"""The routing table: the one place to add a command (like a urls.py).

Each line says which input reaches which handler. Keywords list the Chinese word first (the help
text marks a command as open by it), then its aliases.
"""

from handlers import help, subscription
from menus.keys import MenuKey
from wechat_bot.conversation.table import RoutingTable, event, keyword, menu

ROUTES = RoutingTable(
    routes=(
        keyword("帮助", "help", "?", "菜单", "menu", to=help.show_help),
        menu(MenuKey.HELP, to=help.show_help),
        event("subscribe", to=subscription.on_subscribe),
        event("unsubscribe", to=subscription.on_unsubscribe),
        event("LOCATION", to=subscription.on_location_report),
    ),
    fallback=help.not_understood,
)
