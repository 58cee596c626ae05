"""Parts of a campaign page beyond its participants and sales table (metrics, catalog, deliverables, …)."""
from crm.core.sections import SectionRegistry

CAMPAIGN_SECTIONS = SectionRegistry()
