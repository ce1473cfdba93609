"""The signed-in alumnus's own profile and binding: GET/PATCH /me, POST/DELETE /me/binding.

Thin over handlers.directory (profile, privacy, binding): the lockout, the conflict rule and the
audit trail are the bot's, shared through the same services and Redis keys.
"""

from __future__ import annotations

from flask import Blueprint

from handlers.directory import texts
from handlers.directory.binding import BindOutcome, NotBound, bind_alumnus, binding_lockout, unbind
from handlers.directory.privacy import UNCHANGED, ProfileError, set_privacy, update_profile
from handlers.directory.profile import Profile, my_profile
from wechat_bot.api.context import CHANNEL, current_user, now, settings, token_service
from wechat_bot.api.errors import ApiError
from wechat_bot.api.openapi import operation
from wechat_bot.api.schemas import BindingIn, MeOut, MePatch, RecordOut
from wechat_bot.api.tokens import current_identity
from wechat_bot.runtime import current_runtime

bp = Blueprint("me", __name__)


def not_bound() -> ApiError:
    return ApiError(403, "not_bound", "请先认证校友身份（绑定姓名和学号）。")


def me_out(profile: Profile) -> MeOut:
    return MeOut(
        bound=profile.bound,
        name=profile.name,
        records=[RecordOut(alumnus_id=r.alumnus_id, student_id=r.student_id, name=r.name,
                           degree=r.degree, graduation_year=r.graduation_year, college=r.college,
                           major=r.major, class_name=r.class_name) for r in profile.records],
        privacy=profile.privacy,
        city=profile.city,
        employer=profile.employer,
        industry=profile.industry,
        phone=profile.phone_masked,
    )


@bp.get("/me")
@operation(ok=MeOut, tags=["me"])
def get_me():
    """我的资料：已绑定的学籍、隐私设置、当前的城市/单位/行业，以及打码的本人手机号。

    绑定之前 `bound` 为 false，`records` 为空。"""
    with current_runtime().sessions.begin() as session:
        return me_out(my_profile(session, current_user(session)))


@bp.patch("/me")
@operation(ok=MeOut, errors=(403,), tags=["me"])
def patch_me(json: MePatch):
    """修改谁能查到我（`privacy`）以及我的城市、单位、行业。

    `null` 或空字符串表示恢复为名册中的值。需要已绑定身份，否则 403。"""
    given = json.model_dump(exclude_unset=True)
    with current_runtime().sessions.begin() as session:
        user = current_user(session)
        try:
            if given.get("privacy") is not None:
                set_privacy(session, user, given["privacy"])
            fields = {name: given.get(name, UNCHANGED) for name in ("city", "employer", "industry")}
            if any(value is not UNCHANGED for value in fields.values()):
                update_profile(session, user, **fields)
            if not given:
                _require_bound(session, user)
        except NotBound:
            raise not_bound() from None
        except ProfileError as exc:
            raise ApiError(422, "validation_failed", str(exc)) from None
        return me_out(my_profile(session, user))


def _require_bound(session, user) -> None:
    if not my_profile(session, user).bound:
        raise NotBound()


@bp.post("/me/binding")
@operation(ok=MeOut, errors=(409, 429), tags=["me"])
def bind(json: BindingIn):
    """认证校友身份：把当前微信用户与姓名、学号相符的学籍绑定。

    不相符时返回 422 `no_match`，无论哪一项不对，提示都相同；一小时内失败 5 次即锁定一小时
    （429 `binding_locked`，与公众号的「绑定」共用计数）。学籍已被其他微信用户绑定时返回 409
    `record_taken`（并提醒工作人员）；已绑定了另一个人的学籍时返回 409 `other_person`。
    """
    rt = current_runtime()
    limiter = binding_lockout(rt.store, settings().directory)
    with rt.sessions.begin() as session:
        user = current_user(session)
        result = bind_alumnus(session, user, json.name, json.student_id, now=now(), channel=CHANNEL,
                              limiter=limiter)
        profile = my_profile(session, user) if result.ok else None
    # The failure (and its audit row) is committed before it is answered.
    if result.ok:
        return me_out(profile)
    if result.outcome is BindOutcome.LOCKED:
        raise ApiError(429, "binding_locked", texts.bind_locked(result.retry_after),
                       retry_after=result.retry_after)
    if result.outcome is BindOutcome.NO_MATCH:
        if result.retry_after:
            raise ApiError(429, "binding_locked", texts.bind_no_match(None, result.retry_after),
                           retry_after=result.retry_after)
        raise ApiError(422, "no_match", texts.bind_no_match(result.attempts_left, 0))
    if result.outcome is BindOutcome.OTHER_PERSON:
        raise ApiError(409, "other_person",
                       f"您的微信已绑定「{result.alumnus.name}」的身份，只能再绑定本人的学籍；"
                       "如需更换，请先解绑。")
    raise ApiError(409, "record_taken", texts.BIND_TAKEN)


@bp.delete("/me/binding")
@operation(ok=MeOut, errors=(404,), tags=["me"])
def delete_binding():
    """解除与所有学籍的绑定。

    本次请求的令牌仍然有效（小程序保持登录，变为未绑定）；该用户的其他令牌全部作废，留在别的设备
    上的登录立即失去已认证身份的权限。没有绑定时返回 404。"""
    with current_runtime().sessions.begin() as session:
        user = current_user(session)
        removed = unbind(session, user, now=now(), channel=CHANNEL)
        profile = my_profile(session, user)
    if not removed:
        raise ApiError(404, "not_bound", texts.UNBIND_NOTHING)
    token_service().revoke_all(current_identity().user_id, keep=current_identity())
    return me_out(profile)
