"""Channels, campaigns, participations with their sales, metrics, catalogs and content deliverables.

Each part registers what it shows on other pages (company, programme and campaign sections, timeline entries),
its trash kinds, and what it does on a merge or a purge of a company here."""
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from crm.campaigns import result_sections as _result_sections
from crm.campaigns import services as _services
from crm.campaigns.models import Campaign as _Campaign
from crm.campaigns.models import Deliverable as _Deliverable
from crm.campaigns.models import Participation as _Participation
from crm.campaigns.sections import CAMPAIGN_SECTIONS
from crm.companies import merge as _merge
from crm.companies import sections as _company_sections
from crm.companies import timeline as _timeline
from crm.companies import trash as _trash
from crm.programs.sections import PROGRAM_SECTIONS

_merge.register(_services.move_participations)
_trash.register_purge(_services.purge_campaign_records)
_trash.register_kind("campaign", _trash.TrashKind(_Campaign, _l("기획전·캠페인"), describe=_services.describe_campaign,
                                                  of_company=False))
_trash.register_kind("deliverable", _trash.TrashKind(
    _Deliverable, _l("콘텐츠 산출물"), (joinedload(_Deliverable.participation).joinedload(_Participation.company),),
    describe=_services.describe_deliverable))
PROGRAM_SECTIONS.register("campaigns/_program_campaigns.html", _services.program_section_context, order=10)

_company_sections.register("campaign_results/_company_participations.html", _result_sections.company_section,
                           order=40)
_timeline.register(_result_sections.participation_timeline)
_timeline.register(_result_sections.deliverable_timeline)
CAMPAIGN_SECTIONS.register("campaign_results/_campaign_catalog.html", _result_sections.catalog_section, order=20)
CAMPAIGN_SECTIONS.register("campaign_results/_campaign_metrics.html", _result_sections.metrics_section, order=30)
CAMPAIGN_SECTIONS.register("campaign_results/_campaign_deliverables.html", _result_sections.deliverables_section,
                           order=40)
