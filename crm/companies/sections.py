"""Parts of the company page that later packages contribute (coaching, cohorts, campaigns, …)."""
from crm.core.sections import SectionRegistry

COMPANY_SECTIONS = SectionRegistry()
register = COMPANY_SECTIONS.register
sections_for = COMPANY_SECTIONS.sections_for
