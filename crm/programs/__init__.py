"""Programmes, 26-week cohorts, enrollments, weekly reports and company submission links.

Each part registers what it shows on other pages (company sections, timeline entries) and what it does on a
merge or a purge of a company here."""
from crm.companies import merge as _merge
from crm.companies import sections as _sections
from crm.companies import timeline as _timeline
from crm.companies import trash as _trash
from crm.programs import progress as _progress
from crm.programs import setup as _setup

_sections.register("programs/_company_enrollments.html", _progress.company_section, order=40)
_timeline.register(_progress.report_timeline)
_merge.register(_setup.move_enrollments)
_trash.register_purge(_setup.purge_program_records)
_trash.register_kind("program", _setup.PROGRAM_TRASH)
_trash.register_kind("cohort", _setup.COHORT_TRASH)
_trash.register_kind("enrollment", _setup.ENROLLMENT_TRASH)
