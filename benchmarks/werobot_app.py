"""The peer for benchmarks/webhook.py: a WeRoBot bot answering 帮助, what a user would pick instead.

WeRoBot (PyPI `werobot`, the optional extra `bench`) as its quick start writes it: a token, a
handler for the word, `robot.wsgi` under gunicorn. It checks the signature, parses the XML, runs the
handler and renders the reply. Its session store is turned off: by default it would write a SQLite
file per message, which no fair peer of the bot's 帮助 (no database) should pay. It replies with the
bot's own help text, captured from the bot at the start of the run (BENCH_WEROBOT_HELP: a file).
"""

import os
from pathlib import Path

import werobot

TOKEN = "bench-token"
HELP = Path(os.environ["BENCH_WEROBOT_HELP"]).read_text(encoding="utf-8")

robot = werobot.WeRoBot(token=TOKEN, SESSION_STORAGE=False)


@robot.filter("帮助")
def help_reply(message):
    return HELP


@robot.text
def not_understood(message):
    return "发送「帮助」查看可用指令。"


app = robot.wsgi
