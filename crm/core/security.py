"""Response headers, redirect targets and input no form can send."""
from itertools import chain
from urllib.parse import urlsplit

from flask import Flask, abort, current_app, request

from crm.core.access import STATIC_ENDPOINTS

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'; img-src 'self' data:"
)


def add_security_headers(response):
    headers = response.headers
    headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    # Never no-referrer: Flask-WTF checks the Referer of HTTPS form posts.
    headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
    if current_app.config["HSTS"]:
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    # Every page may show personal data or a CSRF token; only static files may be cached.
    if request.endpoint not in STATIC_ENDPOINTS:
        headers["Cache-Control"] = "no-store"
    return response


def safe_next_url(target: str | None) -> str | None:
    """A same-site path to go to after login, or None for anything that could leave the site."""
    if not target:
        return None
    if any(ord(char) < 32 or char == "\\" for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def refuse_nul_characters() -> None:
    """No one types a NUL character into a form, and PostgreSQL can neither store nor compare one: a parameter
    or form value holding one is refused here (400) instead of failing in the database (500)."""
    for _name, values in chain(request.args.lists(), request.form.lists()):
        if any("\x00" in value for value in values):
            abort(400)


def register_security(app: Flask) -> None:
    app.before_request(refuse_nul_characters)
    app.after_request(add_security_headers)
