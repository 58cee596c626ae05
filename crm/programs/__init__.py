"""Programmes, 26-week cohorts, enrollments, weekly reports and company submission links.

Each part registers what it shows on other pages (company sections, timeline entries) and what it does on a
merge or a purge of a company here."""
