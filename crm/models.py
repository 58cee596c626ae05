"""Imports every model module, so that mappers, Alembic and create_all see the whole schema."""
from crm.audit.models import AuditLog
from crm.auth.models import User

__all__ = ["AuditLog", "User"]
