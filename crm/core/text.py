"""Small text helpers that forms, services and imports share."""


def blank_to_none(value):
    """A stripped string, or None for a blank one; other values as they are (None for falsy ones)."""
    if isinstance(value, str):
        value = value.strip()
    return value or None
