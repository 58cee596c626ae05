"""판로지원 CRM: the application factory."""
import os

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from crm.config import INSTANCE_PATH, PROFILES, PROJECT_ROOT

MIN_SECRET_KEY_LENGTH = 32


def create_app(profile: str | None = None, **overrides) -> Flask:
    profile = profile or os.environ.get("CRM_CONFIG", "development")
    app = Flask(__name__, instance_path=str(INSTANCE_PATH), instance_relative_config=True,
                template_folder=str(PROJECT_ROOT / "templates"), static_folder=str(PROJECT_ROOT / "static"))
    app.config.from_object(PROFILES[profile])
    if profile != "testing":
        app.config.from_pyfile("config.py", silent=True)
    app.config.update(overrides)
    check_configuration(app)
    if app.config["PROXY_FIX_X_FOR"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"], x_proto=1, x_host=1)

    register_extensions(app)
    register_blueprints(app)
    register_request_hooks(app)
    register_errorhandlers(app)
    register_commands(app)
    register_template_filters(app)
    return app


def check_configuration(app: Flask) -> None:
    """Production refuses to start on a missing or short secret key, or with the debugger on."""
    secret = app.config.get("SECRET_KEY")
    if app.config["ENV_NAME"] in ("production", "loopback"):
        if not secret or len(secret) < MIN_SECRET_KEY_LENGTH:
            raise RuntimeError(f"SECRET_KEY must be set to at least {MIN_SECRET_KEY_LENGTH} random characters")
        if app.debug:
            raise RuntimeError("DEBUG must be off in production")
    elif not secret:
        raise RuntimeError("SECRET_KEY is not set: export SECRET_KEY or run `make instance/config.py`")


def register_extensions(app: Flask) -> None:
    from crm import models  # noqa: F401  (every model registered before the mappers configure)
    from crm.auth.session import init_login
    from crm.companies import funnel  # noqa: F401  (session event listeners)
    from crm.core import cache, softdelete, sqlite  # noqa: F401  (session and engine event listeners)
    from crm.extensions import babel, bootstrap, csrf, db, limiter, migrate, select_locale

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    init_login(app)
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=select_locale, default_timezone="Asia/Seoul")
    bootstrap.init_app(app)


def register_blueprints(app: Flask) -> None:
    from crm.audit.views import bp as audit_bp
    from crm.auth.admin_views import bp as admin_users_bp
    from crm.auth.views import bp as auth_bp
    from crm.campaigns.channel_views import bp as channels_bp
    from crm.campaigns.result_views import bp as campaign_results_bp
    from crm.campaigns.views import bp as campaigns_bp
    from crm.coaching.action_views import bp as actions_bp
    from crm.coaching.assessment_views import bp as assessments_bp
    from crm.coaching.pool_views import bp as coaches_bp
    from crm.coaching.session_views import bp as coaching_bp
    from crm.companies.admin_views import bp as company_admin_bp
    from crm.companies.pipeline_views import bp as pipeline_bp
    from crm.companies.product_views import bp as products_bp
    from crm.companies.views import bp as companies_bp
    from crm.core.views import bp as core_bp
    from crm.imports.views import bp as imports_bp
    from crm.programs.progress_views import bp as progress_bp
    from crm.programs.setup_views import bp as programs_bp
    from crm.programs.submit_views import bp as submit_bp
    from crm.reports.bench_views import bp as bench_bp
    from crm.reports.result_views import bp as reports_result_bp
    from crm.reports.views import bp as reports_bp

    for blueprint in (core_bp, auth_bp, admin_users_bp, audit_bp, reports_bp, companies_bp, pipeline_bp,
                      products_bp, company_admin_bp, coaches_bp, assessments_bp, actions_bp,
                      coaching_bp, campaigns_bp, channels_bp, progress_bp, submit_bp, programs_bp,
                      campaign_results_bp, reports_result_bp, imports_bp, bench_bp):
        app.register_blueprint(blueprint)


def register_request_hooks(app: Flask) -> None:
    from crm.auth.session import enforce_session_timeouts
    from crm.core.access import enforce_declared_access
    from crm.core.security import register_security

    app.before_request(enforce_session_timeouts)
    app.before_request(enforce_declared_access)
    register_security(app)


def register_errorhandlers(app: Flask) -> None:
    from crm.core.errors import register_errorhandlers as register

    register(app)


def register_commands(app: Flask) -> None:
    from crm.cli import register

    register(app)


def register_template_filters(app: Flask) -> None:
    from crm.audit.models import action_label
    from crm.core.filters import register_template_filters as register
    from crm.core.templating import register_globals

    register(app)
    register_globals(app)
    app.add_template_filter(action_label)
