"""Imports: read a CSV or XLSX upload, match its columns, preview and check every row, apply all or none, undo."""
