"""Configuration profiles: development (the default), testing, production, and loopback (production over
plain HTTP on 127.0.0.1, for multi-worker tests and benchmarks)."""
import os
from datetime import timedelta
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_PATH = PROJECT_ROOT / "instance"
DEFAULT_SQLITE_URL = f"sqlite:///{INSTANCE_PATH / 'crm.sqlite3'}"


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", DEFAULT_SQLITE_URL)
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SQLALCHEMY_RECORD_QUERIES = False

    # PBKDF2-SHA256 at 600,000 iterations: ASVS 5 Appendix C (werkzeug's scrypt default is below it).
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:600000"
    PASSWORD_MIN_LENGTH = 8
    PASSWORD_MAX_LENGTH = 128

    # Sessions: idle 30 minutes, absolute 12 hours (ASVS 4.0.3 3.3.2, level 2).
    SESSION_IDLE_TIMEOUT = timedelta(minutes=30)
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=12)
    PERMANENT_SESSION_LIFETIME = timedelta(hours=12)
    # Changing a role, a password or an e-mail needs a password entered this recently (ASVS 5 7.5.1).
    FRESH_LOGIN_WINDOW = timedelta(minutes=15)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(seconds=0)

    # A CSRF token lives as long as the session may (two tabs, long forms).
    WTF_CSRF_TIME_LIMIT = 12 * 3600

    # Login throttling counts failed attempts only.
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = False
    LOGIN_LIMIT_PER_LOGIN_ID = "10 per minute;100 per hour"
    LOGIN_LIMIT_PER_IP = "50 per minute"

    BABEL_DEFAULT_LOCALE = "ko"
    BABEL_DEFAULT_TIMEZONE = "Asia/Seoul"
    BABEL_TRANSLATION_DIRECTORIES = str(PROJECT_ROOT / "translations")
    LANGUAGES = ("ko", "en")

    BOOTSTRAP_SERVE_LOCAL = True
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024
    TRUSTED_HOSTS = [h for h in os.environ.get("TRUSTED_HOSTS", "").split(",") if h] or None
    PROXY_FIX_X_FOR = 0
    HSTS = False
    PAGE_SIZE = 50


class DevelopmentConfig(Config):
    ENV_NAME = "development"


class TestingConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key-that-is-long-enough-0123456789"
    SQLALCHEMY_DATABASE_URI = os.environ.get("TEST_DATABASE_URL", "sqlite://")
    # Cheap hashing keeps the suite fast; a test checks the production settings.
    PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"
    WTF_CSRF_ENABLED = False
    RATELIMIT_STORAGE_URI = "memory://"
    TRUSTED_HOSTS = None


class ProductionConfig(Config):
    ENV_NAME = "production"
    SESSION_COOKIE_NAME = "__Host-session"
    SESSION_COOKIE_SECURE = True
    PREFERRED_URL_SCHEME = "https"
    HSTS = True
    # One reverse proxy (nginx) in front of gunicorn: trust its X-Forwarded-For once.
    PROXY_FIX_X_FOR = int(os.environ.get("PROXY_FIX_X_FOR", "1"))


class LoopbackConfig(ProductionConfig):
    """Production settings served over plain HTTP on 127.0.0.1: for the multi-worker tests and the benchmark.

    Only the cookie's Secure flag (and the __Host- prefix that needs it), HSTS and the proxy hop differ; the
    app answers only loopback host names, so it cannot be mistaken for a public deployment."""

    ENV_NAME = "loopback"
    SESSION_COOKIE_NAME = "session"
    SESSION_COOKIE_SECURE = False
    PREFERRED_URL_SCHEME = "http"
    HSTS = False
    PROXY_FIX_X_FOR = 0
    TRUSTED_HOSTS = ["127.0.0.1", "localhost"]


PROFILES = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
    "loopback": LoopbackConfig,
}
