"""The baselines for benchmarks/webhook.py: bare Flask + wechatpy, parse and reply, nothing else.

With ECHO_CLAIM_REDIS_URL set, the echo also claims each MsgId in Redis (one SET NX EX with
redis-py) before replying: the least any webhook must do that answers a WeChat retry once when
two or more workers share the load. It tells the cost of that one round trip from the bot's own.

With ECHO_LOOKUP_VIEWERS set as well (a JSON file: openid -> the searcher's user id and classes,
read once here), `查找 <words>` is answered with the bot's own lookup and page text
(`search_alumni` in one transaction on `make_engine`'s pool, then `format_page`), on the bot's
database (ALUMNI_BOT_DATABASE_URL): the least any webhook that searches this directory must do,
without the bot's user, dialog, rate limit, search log or deadline around it.
"""

import os
from pathlib import Path

import redis
from flask import Flask, request
from wechatpy import create_reply, parse_message
from wechatpy.utils import check_signature

TOKEN = "bench-token"
app = Flask(__name__)
claims = redis.Redis.from_url(os.environ["ECHO_CLAIM_REDIS_URL"]) if os.environ.get("ECHO_CLAIM_REDIS_URL") else None
viewers = sessions = None
if os.environ.get("ECHO_LOOKUP_VIEWERS"):
    from api import load_viewers  # benchmarks/api.py, beside this file (gunicorn's folder)

    from handlers.directory.lookup import search_alumni
    from handlers.directory.searching import format_page
    from models.db import make_engine, make_session_factory

    viewers = load_viewers(Path(os.environ["ECHO_LOOKUP_VIEWERS"]))
    sessions = make_session_factory(make_engine(os.environ["ALUMNI_BOT_DATABASE_URL"]))


@app.post("/wechat")
def echo():
    check_signature(TOKEN, request.args["signature"], request.args["timestamp"], request.args["nonce"])
    message = parse_message(request.get_data())
    if claims is not None and not claims.set(f"echo-claim:{message.id}", 1, nx=True, ex=300):
        return "success"
    text = f"你说：{message.content}"
    if viewers is not None and message.content.startswith("查找 "):
        with sessions.begin() as session:
            text = format_page(search_alumni(session, viewers[message.source], message.content[3:]))
    return create_reply(text, message).render(), 200, {"Content-Type": "application/xml"}
