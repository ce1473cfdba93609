"""A refusal of the mentors' rules: the Chinese sentence for the alumnus, a code and an HTTP status
for the API (the bot shows the sentence, the API answers the code)."""

from __future__ import annotations


class MentorError(Exception):
    def __init__(self, code: str, message: str, status: int = 409) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


NOT_BOUND = ("not_bound", "校友导师只对已认证的校友开放。请先发送「绑定 姓名 学号」认证身份。", 403)
