"""Safe and compatible modes, proven on Tencent's own sample values (PROTOCOL.md section 2)."""

import pytest

from tests.wechat import now, open_encrypted_reply, post, post_encrypted, reply_content, text_xml
from wechat_bot.webhook.crypto import CryptoError, MessageCrypto, signature

SAMPLE_KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
SAMPLE_ENCRYPT = (
    "hyzAe4OzmOMbd6TvGdIOO6uBmdJoD0Fk53REIHvxYtJlE2B655HuD0m8KUePWB3+LrPXo87wzQ1QLvbeUgmBM4x6F8PGHQHF"
    "VAFmOD2LdJF9FrXpbUAh0B5GIItb52sn896wVsMSHGuPE328HnRGBcrS7C41IzDWyWNlZkyyXwon8T332jisa+h6tEDYsVti"
    "cbSnyU8dKOIbgU6ux5VTjg3yt+WGzjlpKn6NPhRjpA912xMezR4kw6KWwMrCVKSVCZciVGCgavjIQ6X8tCOp3yZbGpy0VxpA"
    "e+77TszTfRd5RJSVO/HTnifJpXgCSUdUue1v6h0EIBYYI1BD1DlD+C0CR8e6OewpusjZ4uBl9FyJvnhvQl+q5rv1ixrcpCum"
    "EPo5MJSgM9ehVsNPfUM669WuMyVWQLCzpu9GhglF2PE="
)


def test_encryption_matches_the_official_sample():
    crypto = MessageCrypto(SAMPLE_KEY, "wxb11529c136998cb6")
    encrypted = crypto.encrypt("我是中文abcd123", random_prefix=b"aaaabbbbccccdddd")
    assert encrypted == ("jn1L23DB+6ELqJ+6bruv21Y6MD7KeIfP82D6gU39rmkgczbWwt5+3bnyg5K55bgVtVzd832WzZ"
                         "GMhkP72vVOfg==")


def test_decryption_of_the_official_sample_message():
    plain = MessageCrypto(SAMPLE_KEY, "wx2c2769f8efd9abc2").decrypt(SAMPLE_ENCRYPT)
    assert "<Content><![CDATA[abcdteT]]></Content>" in plain
    assert "oyORnuP8q7ou2gfYjqLzSIWZf0rs" in plain and "6054768590064713728" in plain


def test_official_sample_msg_signature_verifies():
    assert signature("spamtest", "1409735669", "1320562132", SAMPLE_ENCRYPT) == \
        "5d197aaffba7e9b25a30732f161a50dee96bd5fa"


def test_decrypting_a_message_for_another_app_id_fails():
    with pytest.raises(CryptoError):
        MessageCrypto(SAMPLE_KEY, "wxsomeoneelse00000").decrypt(SAMPLE_ENCRYPT)


def test_round_trip_keeps_chinese_text():
    crypto = MessageCrypto(SAMPLE_KEY, "wxb11529c136998cb6")
    assert crypto.decrypt(crypto.encrypt("校友会 · 秩年返校")) == "校友会 · 秩年返校"


def _sample_request(app, timestamp: str, msg_signature: str | None = None):
    query = {"signature": signature("spamtest", timestamp, "1320562132"), "timestamp": timestamp,
             "nonce": "1320562132", "encrypt_type": "aes",
             "msg_signature": msg_signature or signature("spamtest", timestamp, "1320562132", SAMPLE_ENCRYPT),
             "openid": "oyORnuP8q7ou2gfYjqLzSIWZf0rs"}
    body = (f"<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>"
            f"<Encrypt><![CDATA[{SAMPLE_ENCRYPT}]]></Encrypt></xml>")
    return app.test_client().post("/wechat", query_string=query, data=body)


@pytest.fixture
def sample_app(make_app):
    return make_app(wechat={"token": "spamtest", "app_id": "wx2c2769f8efd9abc2", "encoding_aes_key": SAMPLE_KEY})


def test_safe_mode_webhook_answers_the_official_sample_with_an_encrypted_reply(sample_app):
    response = _sample_request(sample_app, now())  # the sample's Encrypt, signed as WeChat would now
    assert response.status_code == 200
    crypto = MessageCrypto(SAMPLE_KEY, "wx2c2769f8efd9abc2")
    reply = open_encrypted_reply("spamtest", crypto, response.get_data(as_text=True))
    assert reply["ToUserName"] == "oyORnuP8q7ou2gfYjqLzSIWZf0rs"
    assert reply["FromUserName"] == "gh_10f6c3c3ac5a"
    assert "可用指令" in reply["Content"]  # "abcdteT" is not a command: the help text


def test_the_official_sample_replayed_with_its_2014_signatures_is_refused(sample_app):
    response = _sample_request(sample_app, "1409735669", "5d197aaffba7e9b25a30732f161a50dee96bd5fa")
    assert response.status_code == 403


@pytest.mark.parametrize("forged", ["签名" * 20, "ｆ" * 40])
def test_a_non_ascii_msg_signature_is_refused_not_a_server_error(sample_app, forged):
    assert _sample_request(sample_app, now(), forged).status_code == 403


@pytest.fixture
def aes_app(make_app):
    return make_app(wechat={"encoding_aes_key": SAMPLE_KEY})


def test_safe_mode_round_trip_through_the_webhook(aes_app, config):
    crypto = MessageCrypto(SAMPLE_KEY, config.wechat.app_id)
    response = post_encrypted(aes_app.test_client(), config.wechat.token, crypto, text_xml("o-aes", "帮助"))
    reply = open_encrypted_reply(config.wechat.token, crypto, response.get_data(as_text=True))
    assert reply["MsgType"] == "text" and "可用指令" in reply["Content"]


def test_compatible_mode_gets_an_encrypted_reply(aes_app, config):
    crypto = MessageCrypto(SAMPLE_KEY, config.wechat.app_id)
    response = post_encrypted(aes_app.test_client(), config.wechat.token, crypto,
                              text_xml("o-compat", "help"), compatible=True)
    reply = open_encrypted_reply(config.wechat.token, crypto, response.get_data(as_text=True))
    assert "可用指令" in reply["Content"]


def test_plain_request_to_an_aes_account_gets_a_plain_reply(aes_app, config):
    response = post(aes_app.test_client(), config.wechat.token, text_xml("o-plain", "帮助"))
    assert "可用指令" in reply_content(response.get_data(as_text=True))


def test_safe_mode_with_a_forged_msg_signature_is_refused(aes_app, config):
    crypto = MessageCrypto(SAMPLE_KEY, config.wechat.app_id)
    client = aes_app.test_client()
    encrypt = crypto.encrypt(text_xml("o-forge", "帮助"))
    body = f"<xml><ToUserName>gh</ToUserName><Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    response = post(client, config.wechat.token, body, encrypt_type="aes", msg_signature="0" * 40)
    assert response.status_code == 403


def test_safe_mode_message_encrypted_for_another_account_is_rejected(aes_app, config):
    other = MessageCrypto(SAMPLE_KEY, "wxanotheraccount00")
    response = post_encrypted(aes_app.test_client(), config.wechat.token, other, text_xml("o-x", "帮助"))
    assert response.status_code == 400


def test_encrypted_message_to_a_plain_mode_account_is_rejected(client, config):
    crypto = MessageCrypto(SAMPLE_KEY, config.wechat.app_id)
    response = post_encrypted(client, config.wechat.token, crypto, text_xml("o-x", "帮助"))
    assert response.status_code == 400


@pytest.fixture
def safe_app(make_app):
    return make_app(wechat={"encoding_aes_key": SAMPLE_KEY, "message_mode": "safe"})


def test_safe_mode_refuses_a_plain_body_however_well_signed(safe_app, config, runtime):
    response = post(safe_app.test_client(), config.wechat.token, text_xml("o-plain-in-safe", "帮助"))
    assert response.status_code == 403
    assert "可用指令" not in response.get_data(as_text=True)


def test_safe_mode_answers_encrypted_and_compatible_bodies(safe_app, config):
    crypto = MessageCrypto(SAMPLE_KEY, config.wechat.app_id)
    client = safe_app.test_client()
    for compatible in (False, True):
        response = post_encrypted(client, config.wechat.token, crypto, text_xml("o-safe", "帮助"),
                                  compatible=compatible)
        assert "可用指令" in open_encrypted_reply(config.wechat.token, crypto,
                                               response.get_data(as_text=True))["Content"]

