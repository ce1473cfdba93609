"""The baseline for benchmarks/webhook.py: bare Flask + wechatpy, parse and reply, nothing else."""

from flask import Flask, request
from wechatpy import create_reply, parse_message
from wechatpy.utils import check_signature

TOKEN = "bench-token"
app = Flask(__name__)


@app.post("/wechat")
def echo():
    check_signature(TOKEN, request.args["signature"], request.args["timestamp"], request.args["nonce"])
    message = parse_message(request.get_data())
    return create_reply(f"你说：{message.content}", message).render(), 200, {"Content-Type": "application/xml"}
