"""Parts of a programme page that later packages contribute (the campaigns of the programme, …)."""
from crm.core.sections import SectionRegistry

PROGRAM_SECTIONS = SectionRegistry()
