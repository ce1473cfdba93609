"""alumni-bot's web application: the factory that wires config, database, Redis and the doors."""

from __future__ import annotations

from flask import Flask

from wechat_bot.config import Config, load_config


def create_app(config: Config | None = None, routes=None) -> Flask:
    """Build the app for `config` (default: the configuration SPEC 3 finds).

    `routes` replaces the routing table (tests exercise the webhook with handlers of their own).
    """
    config = config or load_config()
    from wechat_bot.log_redaction import install_log_redaction

    install_log_redaction(config)  # before anything here can log (SPEC 3: secrets are never logged)
    app = Flask(__name__)
    app.config.update(SECRET_KEY=config.app.secret_key, MAX_CONTENT_LENGTH=1024 * 1024, JSON_AS_ASCII=False)
    app.json.ensure_ascii = False
    from wechat_bot.cookie_session import CookieSessions

    app.session_interface = CookieSessions()

    if config.app.proxies:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # The client's address (audit log, lockouts) and scheme (links, Secure cookies) as the
        # configured proxies saw them; X-Forwarded-* from anyone else would be a client's claim.
        hops = config.app.proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    from wechat_bot import observability

    observability.init_app(app, config)  # request ids on every request; /metrics
    from wechat_bot.runtime import Runtime

    runtime = Runtime.build(config, routes)
    app.extensions["alumni_bot"] = runtime

    from wechat_bot.audiences import register_feature_audiences

    register_feature_audiences()  # chapter:NAME, for every door that queues a push

    from wechat_bot import health
    from wechat_bot.webhook.views import bp as webhook_bp

    app.register_blueprint(webhook_bp)
    app.register_blueprint(health.bp)
    from wechat_bot import my_data

    app.register_blueprint(my_data.bp)  # the 我的数据 download behind a signed link

    from wechat_bot import api

    api.init_app(app)  # the mini-program's JSON API at /api/v1
    from wechat_bot import admin

    admin.init_app(app)  # the staff's pages at /admin
    if config.sandbox.enabled:
        from wechat_bot import sandbox

        sandbox.init_app(app)
    return app
