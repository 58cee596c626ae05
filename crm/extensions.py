"""The Flask extensions, created unbound; create_app binds them."""
from functools import cached_property

import flask_babel
import sqlalchemy as sa
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy.orm import DeclarativeBase

from crm.core.types import render_migration_type

# Named constraints so that Alembic's batch mode on SQLite can drop and recreate them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


class _RequestCachedDomain(flask_babel.Domain):
    """Keeps the request's catalog where Flask-Babel's force_locale saves, clears and restores it: the stock
    domain finds the locale and its catalog again for every string, most of the time of a page that shows
    a few thousand labels (the pipeline board)."""

    def get_translations(self):
        ctx = flask_babel._get_current_context()
        if ctx is None:
            return super().get_translations()
        translations = getattr(ctx, "babel_translations", None)
        if translations is None:
            translations = ctx.babel_translations = super().get_translations()
        return translations


class Babel(flask_babel.Babel):
    @cached_property
    def domain_instance(self):
        return _RequestCachedDomain(domain=self.domain)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True, render_item=render_migration_type)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)
babel = Babel()
bootstrap = Bootstrap5()


def select_locale() -> str:
    from flask import current_app, has_request_context, session

    chosen = session.get("lang") if has_request_context() else None
    if chosen in current_app.config["LANGUAGES"]:
        return chosen
    return current_app.config["BABEL_DEFAULT_LOCALE"]
