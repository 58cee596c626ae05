"""Who may use a view. Every view declares it; a view that declares nothing is refused (deny by default).

    @public                        anybody, signed in or not (login, health check)
    @signed_in                     any active user
    @role_required(Role.ADMIN, …)  users with one of these roles
"""
import logging
from collections.abc import Callable

from flask import Flask, abort, current_app, request
from flask_login import current_user

from crm.extensions import login_manager

log = logging.getLogger("crm.access")

PUBLIC = "public"
SIGNED_IN = "signed_in"
# Endpoints that Flask and Bootstrap-Flask register themselves for static files.
STATIC_ENDPOINTS = frozenset({"static", "bootstrap.static"})


def _declare(view: Callable, access) -> Callable:
    view.access = access
    return view


def public(view: Callable) -> Callable:
    return _declare(view, PUBLIC)


def signed_in(view: Callable) -> Callable:
    return _declare(view, SIGNED_IN)


def role_required(*roles) -> Callable[[Callable], Callable]:
    if not roles:
        raise ValueError("role_required needs at least one role")
    return lambda view: _declare(view, frozenset(roles))


def declared_access(app: Flask, endpoint: str):
    """The access a view declared, or None when it declared nothing."""
    if endpoint in STATIC_ENDPOINTS:
        return PUBLIC
    return getattr(app.view_functions.get(endpoint), "access", None)


def enforce_declared_access():
    endpoint = request.endpoint
    if endpoint is None:  # no route matched: the 404/405 handlers answer
        return None
    access = declared_access(current_app, endpoint)
    if access is None:
        log.error("view %s declares no access; refused", endpoint)
        abort(403)
    if access == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if access == SIGNED_IN or current_user.role in access:
        return None
    abort(403)
