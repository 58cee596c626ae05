"""Who is acting: the logged-in user, or whoever a CLI command or a submission link runs as."""
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from flask import has_request_context, request
from flask_login import current_user


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    label: str


SYSTEM = Actor(None, "system")
_override: ContextVar[Actor | None] = ContextVar("audit_actor", default=None)


@contextmanager
def acting_as(user=None, *, label: str | None = None):
    """Attribute the changes made inside the block to `user` (or to a label such as a company link)."""
    actor = Actor(user.id, user.login_id) if user is not None else Actor(None, label or SYSTEM.label)
    token = _override.set(actor)
    try:
        yield actor
    finally:
        _override.reset(token)


def current_actor() -> Actor:
    override = _override.get()
    if override is not None:
        return override
    if has_request_context() and current_user and current_user.is_authenticated:
        return Actor(current_user.id, current_user.login_id)
    return SYSTEM


def current_ip() -> str | None:
    return request.remote_addr if has_request_context() else None
