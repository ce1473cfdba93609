"""The errcodes the stand-in answers with, spelled as WeChat spells them (PROTOCOL.md section 6).

Every refusal is an ApiError; the API blueprint turns it into WeChat's `{"errcode", "errmsg"}`
body with HTTP 200, as the real servers do, so callers see exactly what production would show.
"""

from __future__ import annotations

ERRMSG: dict[int, str] = {
    -1: "system error",
    40001: "invalid credential, access_token is invalid or not latest",
    40002: "invalid grant_type",
    40003: "invalid openid",
    40004: "invalid media type",
    40006: "invalid meida size",
    40007: "invalid media_id",
    40008: "invalid message type",
    40013: "invalid appid",
    40014: "invalid access_token",
    40016: "invalid button size",
    40017: "invalid button type",
    40018: "invalid button name size",
    40019: "invalid button key size",
    40020: "invalid button url size",
    40022: "invalid sub button level",
    40023: "invalid sub button size",
    40024: "invalid sub button type",
    40025: "invalid sub button name size",
    40026: "invalid sub button key size",
    40027: "invalid sub button url size",
    40029: "invalid code",
    40032: "invalid openid list size",
    40037: "invalid template_id",
    40050: "invalid group id",
    40053: "invalid action info",
    40097: "invalid args",
    40125: "invalid appsecret",
    40130: "invalid openid list size, at least two openid",
    40163: "code been used",
    41001: "access_token missing",
    42001: "access_token expired",
    43004: "require subscribe",
    43101: "user refuse to accept the msg",
    44002: "empty post data",
    44003: "empty news data",
    44004: "empty content",
    45008: "article size out of limit",
    45009: "reach max api daily quota limit",
    45015: "response out of time limit or subscription is canceled",
    45047: "out of response count limit",
    45056: "too many tags",
    45059: "user has too many tags",
    45065: "clientmsgid exist",
    45157: "invalid tag name",
    45158: "tag name too long",
    45159: "invalid tag id",
    46003: "menu no exist",
    47001: "data format error",
    47003: "argument invalid! data.{key}.value invalid",
    48001: "api unauthorized",
    48002: "api forbidden for user block",
    # Personalized menus. 65303 and 65304 are WeChat's own texts; the other codes are documented
    # but we have not seen their English errmsg, so these (and 40050's above) are ours.
    65301: "conditional menu of this menuid not exist",
    65302: "no such user",
    65303: "there is no selfmenu, please create selfmenu first",
    65304: "match rule empty",
    65320: "matchrule contains private info no longer supported",
}


class ApiError(Exception):
    """A refusal with WeChat's errcode; `detail` is appended to errmsg like WeChat's own hints."""

    def __init__(self, errcode: int, detail: str = "") -> None:
        super().__init__(errcode, detail)
        self.errcode = errcode
        self.detail = detail

    def body(self) -> dict:
        message = ERRMSG.get(self.errcode, "error")
        if self.detail:
            message = f"{message} ({self.detail})"
        return {"errcode": self.errcode, "errmsg": message}
