"""The baselines for benchmarks/webhook.py: bare Flask + wechatpy, parse and reply, nothing else.

With ECHO_CLAIM_REDIS_URL set, the echo also claims each MsgId in Redis (one SET NX EX with
redis-py) before replying: the least any webhook must do that answers a WeChat retry once when
two or more workers share the load. It tells the cost of that one round trip from the bot's own.
"""

import os

import redis
from flask import Flask, request
from wechatpy import create_reply, parse_message
from wechatpy.utils import check_signature

TOKEN = "bench-token"
app = Flask(__name__)
claims = redis.Redis.from_url(os.environ["ECHO_CLAIM_REDIS_URL"]) if os.environ.get("ECHO_CLAIM_REDIS_URL") else None


@app.post("/wechat")
def echo():
    check_signature(TOKEN, request.args["signature"], request.args["timestamp"], request.args["nonce"])
    message = parse_message(request.get_data())
    if claims is not None and not claims.set(f"echo-claim:{message.id}", 1, nx=True, ex=300):
        return "success"
    return create_reply(f"你说：{message.content}", message).render(), 200, {"Content-Type": "application/xml"}
