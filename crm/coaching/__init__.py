"""Coaching: the expert pool, needs assessments, coaching sessions and action items.

Each part registers what it shows on the company page (sections, timeline entries) here."""
from crm.coaching import actions as _actions
from crm.coaching import assessments as _assessments
from crm.coaching import company_hooks as _company_hooks
from crm.coaching import sessions as _sessions
from crm.companies import merge as _merge
from crm.companies import sections as _sections
from crm.companies import timeline as _timeline
from crm.companies import trash as _trash

_sections.register("coaching/_company_assessments.html", _assessments.company_section, order=20)
_timeline.register(_assessments.assessment_timeline)
_sections.register("coaching/_company_actions.html", _actions.company_section, order=10)
_timeline.register(_actions.company_timeline)
_merge.register(_company_hooks.move_coaching_records)
_trash.register_purge(_company_hooks.purge_coaching_records)
_trash.register_purge(_company_hooks.purge_session_items)
_trash.register_purge(_company_hooks.forget_needs)
_trash.register_kind("coaching_session", _company_hooks.SESSION_TRASH)
_trash.register_kind("needs_assessment", _company_hooks.ASSESSMENT_TRASH)
_sections.register("coaching/_company_sessions.html", _sessions.company_section_context, order=30)
_timeline.register(_sessions.session_timeline)
