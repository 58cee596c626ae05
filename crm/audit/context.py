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
    # Set while an import is applied or undone: its audit rows carry the batch, so the import can be undone.
    import_batch_id: int | None = None


SYSTEM = Actor(None, "system")
_override: ContextVar[Actor | None] = ContextVar("audit_actor", default=None)


@contextmanager
def acting_as(user=None, *, label: str | None = None, import_batch_id: int | None = None):
    """Attribute the changes made inside the block to `user` (or to a label such as a company link),
    and to the import batch applying them, if any."""
    if user is not None:
        actor = Actor(user.id, user.login_id, import_batch_id)
    else:
        actor = Actor(None, label or SYSTEM.label, import_batch_id)
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
