"""The signed-in alumnus's own profile and binding: GET/PATCH /me, POST/DELETE /me/binding.

Thin over handlers.directory (profile, privacy, binding): the lockout, the conflict rule and the
audit trail are the bot's, shared through the same services and Redis keys.
"""

from __future__ import annotations

from handlers.directory import texts
from handlers.directory.binding import BindOutcome, NotBound, bind_alumnus, binding_lockout, unbind
from handlers.directory.privacy import UNCHANGED, ProfileError, set_privacy, update_profile
from handlers.directory.profile import Profile, my_profile
from wechat_bot.api import bp
from wechat_bot.api.context import CHANNEL, current_user, now, runtime, settings, token_service
from wechat_bot.api.errors import ApiError
from wechat_bot.api.openapi import operation
from wechat_bot.api.schemas import BindingIn, MeOut, MePatch, RecordOut
from wechat_bot.api.tokens import current_identity


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
    """The alumnus's own profile: bound records, privacy, current city/employer/industry, and their
    own phone number masked. `bound` is false (and records empty) before binding."""
    with runtime().sessions.begin() as session:
        return me_out(my_profile(session, current_user(session)))


@bp.patch("/me")
@operation(ok=MeOut, errors=(403,), tags=["me"])
def patch_me(json: MePatch):
    """Change who may find me (`privacy`) and my current city, employer, industry (null or "" goes
    back to the roster's value). Needs a bound identity (403 otherwise)."""
    given = json.model_dump(exclude_unset=True)
    with runtime().sessions.begin() as session:
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
    """Verify the alumnus: link this WeChat user to the roster record with this name and student ID.

    A failed match is 422 `no_match` with the same message whatever was wrong; five failures in an
    hour lock binding for an hour (429 `binding_locked`, shared with the bot's 绑定). A record bound
    to another WeChat user is 409 `record_taken` (staff are alerted); holding records of another
    person is 409 `other_person`.
    """
    rt = runtime()
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
    """Remove the link to every roster record. This token stays valid (the mini-program stays
    signed in, now unbound); every other token of this user is revoked, so a device left signed in
    elsewhere loses the verified identity's access at once. 404 when nothing was bound."""
    with runtime().sessions.begin() as session:
        user = current_user(session)
        removed = unbind(session, user, now=now(), channel=CHANNEL)
        profile = my_profile(session, user)
    if not removed:
        raise ApiError(404, "not_bound", texts.UNBIND_NOTHING)
    token_service().revoke_all(current_identity().user_id, keep=current_identity())
    return me_out(profile)
