"""Channels, campaigns, participations with their sales, metrics, catalogs and content deliverables.

Each part registers what it shows on other pages (company and programme sections, timeline entries) and what
it does on a merge or a purge of a company here."""
