"""The API's request and response shapes (pydantic models); the OpenAPI document is built from them.

Every string a client sends is bounded and free of control characters, so nothing the database
would refuse (a NUL byte on PostgreSQL, say) gets past validation into a 500.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StringConstraints

from models import Privacy

# No C0 control characters and no DEL: safe for every column and every log line.
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"


def text(max_length: int, min_length: int = 0):
    return Annotated[str, StringConstraints(strip_whitespace=True, min_length=min_length,
                                            max_length=max_length, pattern=PRINTABLE)]


class Body(BaseModel):
    """A JSON request body: unknown fields are refused, so a typo is a 422, not a silent no-op."""

    model_config = ConfigDict(extra="forbid")


# --- errors ---

class ErrorDetail(BaseModel):
    code: str = Field(description="稳定的英文错误码，供程序判断，例如 not_bound、rate_limited")
    message: str = Field(description="给校友看的中文说明")


class ErrorOut(BaseModel):
    error: ErrorDetail


# --- login ---

class LoginIn(Body):
    code: Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[\x21-\x7e]+$")] = \
        Field(description="wx.login() 返回的 code（5 分钟内有效，只能用一次）")


class LoginOut(BaseModel):
    token: str = Field(description="之后的请求放在 Authorization: Bearer <token>")
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int = Field(description="令牌有效秒数")
    bound: bool = Field(description="是否已认证校友身份（绑定学籍）")


class LoggedOut(BaseModel):
    logged_out: bool = True


# --- me ---

class RecordOut(BaseModel):
    alumnus_id: int
    student_id: str
    name: str
    degree: str | None
    graduation_year: int
    college: str | None
    major: str | None
    class_name: str | None


class MeOut(BaseModel):
    bound: bool
    name: str | None
    records: list[RecordOut] = Field(description="本人绑定的学籍（本科、硕士……）")
    privacy: Privacy = Field(description="谁能查到我：public 所有认证校友 / classmates 同院同届 / hidden 任何人")
    city: str | None = Field(description="当前所在城市（本人填写的优先，否则为名册中的）")
    employer: str | None
    industry: str | None
    phone: str | None = Field(description="本人手机号，已打码，只给本人看")


class MePatch(Body):
    privacy: Privacy | None = None
    city: text(64) | None = Field(None, description="空字符串或 null 恢复为名册中的值")
    employer: text(128) | None = None
    industry: text(64) | None = None


class BindingIn(Body):
    name: text(64, min_length=1) = Field(description="姓名，与学籍一致")
    student_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=32,
                                                 pattern=r"^[0-9A-Za-z０-９Ａ-Ｚａ-ｚ\- ]+$")] = \
        Field(description="学号：数字或字母")


# --- me/verification (人工核验) ---

class VerificationIn(Body):
    name: text(64, min_length=1) = Field(description="姓名，与学籍一致")
    graduation_year: int = Field(ge=1900, le=2100, description="毕业年份")
    college: text(64, min_length=1) = Field(description="学院")
    major: text(64, min_length=1) = Field(description="专业")
    student_id: Annotated[str, StringConstraints(strip_whitespace=True, max_length=32,
                                                 pattern=r"^[0-9A-Za-z０-９Ａ-Ｚａ-ｚ\- ]*$")] | None = \
        Field(None, description="学号（如记得）")
    photo_url: Annotated[str, StringConstraints(strip_whitespace=True, max_length=1024,
                                                pattern=r"^https?://[^\s<>\"']+$")] | None = \
        Field(None, description="毕业证、学位证或校友卡照片的链接（小程序上传后的 https 地址）")


class VerificationOut(BaseModel):
    id: int
    status: Literal["pending", "approved", "rejected"] = Field(description="pending 待审核")
    name: str
    graduation_year: int
    college: str
    major: str
    student_id: str | None
    photo_url: str | None
    created_at: str = Field(description="提交时间（ISO 8601）")


# --- alumni ---

class AlumniQuery(BaseModel):
    q: text(50) = Field("", description="姓名、全拼、首字母、毕业年份、学院、专业、城市或单位；空格分隔多个词")
    year: int | None = Field(None, ge=1900, le=2100, description="毕业年份")
    college: text(64) | None = None
    city: text(64) | None = None
    page: int = Field(1, ge=1, le=10, description="页码；每次查找最多翻 10 页")


class AlumnusOut(BaseModel):
    id: int
    name: str
    degree: str | None
    graduation_year: int
    college: str | None
    major: str | None
    city: str | None
    employer: str | None


class AlumniPage(BaseModel):
    items: list[AlumnusOut]
    page: int
    per_page: int
    has_more: bool


# --- subscriptions ---

TemplateId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^[0-9A-Za-z_\-]+$")]


class SubscriptionsIn(Body):
    template_ids: list[TemplateId] = Field(min_length=1, max_length=20,
                                           description="用户在 wx.requestSubscribeMessage 中同意的模板")


class SubscriptionsOut(BaseModel):
    recorded: list[str] = Field(description="已记下同意的模板（每个同意可发送一次订阅消息）")


# --- consents (push categories) ---

# handlers.consent.categories: the news ones (news-…) are opt-in, `subscribed` false until chosen
CategoryKey = Literal["notice", "events", "reunion", "chapters", "circles",
                      "news-campus", "news-paper", "news-letter", "news-history"]


class ConsentOut(BaseModel):
    category: CategoryKey = Field(description="类别代码")
    label: str = Field(description="类别名称，例如 活动")
    about: str = Field(description="这一类推送的内容")
    subscribed: bool = Field(description="是否接收这一类推送（新闻类别需订阅，默认 false）")
    opt_in: bool = Field(False, description="需订阅才接收的类别（新闻类别）")
    changed_at: str | None = Field(description="最近一次更改的时间（ISO 8601），从未更改为 null")
    channel: str | None = Field(description="最近一次在哪里更改：bot、api、admin")


class ConsentsOut(BaseModel):
    items: list[ConsentOut]
    always: str = Field(description="不受退订影响的通知")


class ConsentChange(Body):
    category: CategoryKey
    subscribed: StrictBool  # 0 or "false" is a 422, not a guess


class ConsentsIn(Body):
    items: list[ConsentChange] = Field(min_length=1, max_length=10,
                                       description="要更改的类别；未列出的保持不变")
