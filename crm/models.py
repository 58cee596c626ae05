"""Imports every model module, so that mappers, Alembic and create_all see the whole schema."""
from crm.audit.models import AuditLog
from crm.auth.models import User
from crm.coaching.models import ActionItem, CoachingSession, CoachProfile, NeedsAssessment, Specialty
from crm.companies.models import (
    Certification,
    Company,
    CompanyAlias,
    CompanyCoach,
    ListingChange,
    Product,
    ProductListing,
    Region,
    StageChange,
    Store,
)

__all__ = [
    "ActionItem", "AuditLog", "Certification", "CoachProfile", "CoachingSession", "Company", "CompanyAlias",
    "CompanyCoach", "ListingChange", "NeedsAssessment", "Product", "ProductListing", "Region", "Specialty",
    "StageChange", "Store", "User",
]
