"""The `/wechat` door: verify, decrypt, dedup and run under the deadline, reply."""

from wechat_bot.webhook.views import bp

__all__ = ["bp"]
