"""What the broadcast composer asks and how its answers become one `queue_push` call.

The form (`ComposeForm`), the audience it names (`audience_spec`: the outbox's own specs, ANDed:
one rule in one place), the scope check (a liaison only to their chapter, a college account only
to its college, refused on the server whatever the page sent), and the content of each kind:
plain text, a news card (a customer-service news message; its title and description are the text
the other channels carry), or a template message with its fields. Refusals are Chinese lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from handlers.consent.categories import CATEGORIES, DEFAULT
from handlers.staff.broadcast_scope import allows, required_part
from handlers.staff.scope import Scope
from scheduler.audiences import AND, AudienceError, audience_parts, parse_audience, stored_audience
from scheduler.channels import fit
from scheduler.outbox import TemplateContent
from wechat_bot.admin.forms import AdminForm

PAST_TOLERANCE = timedelta(minutes=1)
TEXT_LIMIT = 600  # a customer-service text message holds 2,048 bytes: 600 Chinese characters fit
KINDS = [SelectChoice("text", "文字"), SelectChoice("news", "图文卡片"),
         SelectChoice("template", "模板消息")]
TARGETS = [SelectChoice("all", "全部关注者"), SelectChoice("bound", "已绑定的校友"),
           SelectChoice("segment", "按条件筛选（同时满足）")]


class ComposeError(ValueError):
    """A refusal for staff: str() is one Chinese line."""


class ComposeForm(AdminForm):
    kind = RadioField("消息类型", choices=KINDS, default="text")
    text = TextAreaField("推送内容", validators=[Optional(), Length(max=TEXT_LIMIT)],
                         description="文字消息的内容；模板消息在客服消息、群发时也使用这段文字")
    news_title = StringField("卡片标题", validators=[Optional(), Length(max=64)])
    news_description = TextAreaField("卡片摘要", validators=[Optional(), Length(max=120)])
    news_url = StringField("点开的链接", validators=[Optional(), Length(max=500)],
                           description="https:// 开头的网址")
    news_picurl = StringField("图片网址", validators=[Optional(), Length(max=500)],
                              description="可不填；大图 900×383 像素")
    template_id = StringField("模板 ID", validators=[Optional(), Length(max=128)])
    template_values = TextAreaField("模板字段", validators=[Optional(), Length(max=2000)],
                                    description="每行一个：字段=内容，例如 thing1=秋季返校日报名开始；{text} 代表上面的推送内容")
    target = RadioField("推送对象", choices=TARGETS, default="segment")
    years = StringField("毕业年份", validators=[Optional(), Length(max=64)],
                        description="例如 2016，或 2014,2016，或 2010-2015")
    college = StringField("学院", validators=[Optional(), Length(max=64)],
                          description="按花名册中的写法，例如：计算机学院")
    city = StringField("所在城市", validators=[Optional(), Length(max=64)], description="例如：南京")
    chapter = SelectField("分会", choices=[], validate_choice=False)
    circle = StringField("校友圈编号", validators=[Optional(), Length(max=12)],
                         description="校友圈页面上的编号，例如 3：推送给该圈的成员")
    category = SelectField("推送类别", choices=[SelectChoice(c.key, c.label) for c in CATEGORIES],
                           default=DEFAULT, description="退订了这一类推送的校友不会收到")
    when = RadioField("发送时间", choices=[SelectChoice("now", "立即发送"), SelectChoice("at", "定时发送")],
                      default="now")
    at = StringField("定时（北京时间）", validators=[Optional(), Length(max=32)],
                     description="YYYY-MM-DD HH:MM，例如 2027-05-01 09:00")


@dataclass(frozen=True)
class Content:
    """The queue_push arguments a kind of message fills."""

    text: str
    custom_message: dict[str, Any] | None = None
    template: TemplateContent | None = None
    summary: dict[str, str] = field(default_factory=dict)


def audience_spec(form: ComposeForm, scope: Scope) -> str:
    """The outbox audience the form names, checked against the viewer's scope."""
    target = form.target.data or "segment"
    if target in ("all", "bound"):
        spec = target
    else:
        parts = []
        if (form.years.data or "").strip():
            parts.append(f"year:{form.years.data.strip()}")
        for name, value in (("college", form.college.data), ("city", form.city.data),
                            ("chapter", form.chapter.data), ("circle", form.circle.data)):
            if (value or "").strip():
                parts.append(f"{name}:{value.strip()}")
        if not parts:
            raise ComposeError("请至少填写一个筛选条件（毕业年份、学院、城市、分会或校友圈），或选择全部关注者")
        spec = AND.join(parts)
    try:
        chosen, arg = parse_audience(spec)
    except AudienceError as exc:
        raise ComposeError(str(exc)) from None
    stored = stored_audience(chosen, arg)
    if not allows(scope, audience_parts(stored)):
        raise ComposeError(_outside_scope(scope))
    return stored


def _outside_scope(scope: Scope) -> str:
    part = required_part(scope)
    if scope.chapter_name or (part or "").startswith("chapter:"):
        return f"您只能向本分会（{scope.chapter_name or '未指定'}）的成员发送推送"
    return f"您只能向本学院（{scope.college or '未指定'}）的校友发送推送"


def content(form: ComposeForm, default_template: str) -> Content:
    kind = form.kind.data or "text"
    text = (form.text.data or "").strip()
    if kind == "news":
        title = (form.news_title.data or "").strip()
        url = (form.news_url.data or "").strip()
        picurl = (form.news_picurl.data or "").strip()
        if not title:
            raise ComposeError("请填写图文卡片的标题")
        for value, what in ((url, "链接"), (picurl, "图片网址")):
            if value and urlsplit(value).scheme not in ("http", "https"):
                raise ComposeError(f"{what}应以 http:// 或 https:// 开头")
        if not url:
            raise ComposeError("请填写图文卡片点开的链接")
        description = (form.news_description.data or "").strip()
        article = {"title": title, "description": description, "url": url, "picurl": picurl}
        return Content(text=text or f"{title}\n{description}".strip(),
                       custom_message={"msgtype": "news", "news": {"articles": [article]}},
                       summary={"标题": title, "链接": url})
    if not text:
        raise ComposeError("请填写推送内容")
    if kind != "template":
        return Content(text=text)
    template_id = (form.template_id.data or "").strip() or default_template
    if not template_id:
        raise ComposeError("没有配置模板消息（[push] template_id），请填写模板 ID 或改用文字消息")
    data: dict[str, str] = {}
    for line in (form.template_values.data or "").splitlines():
        if not line.strip():
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.strip().isidentifier():
            raise ComposeError(f"模板字段「{line.strip()}」应为 字段=内容，例如 thing1=秋季返校日")
        data[key.strip()] = fit(key.strip(), value.strip().replace("{text}", text) or text)
    if not data:
        raise ComposeError("请填写模板字段，每行一个：字段=内容")
    return Content(text=text, template=TemplateContent(template_id, data), summary=data)


def schedule(form: ComposeForm, zone: ZoneInfo, now: datetime) -> datetime | None:
    """None: now; else the aware time (北京时间 as typed, or a datetime-local's 'T')."""
    if form.when.data != "at":
        return None
    typed = (form.at.data or "").strip().replace("T", " ")
    if not typed:
        raise ComposeError("请填写定时发送的时间")
    try:
        at = datetime.strptime(typed, "%Y-%m-%d %H:%M").replace(tzinfo=zone)
    except ValueError:
        raise ComposeError(f"「{typed}」不是有效的时间，请按 YYYY-MM-DD HH:MM 填写") from None
    if at < now - PAST_TOLERANCE:
        raise ComposeError(f"定时时间 {typed} 已经过去了，请填写将来的时间")
    return at

