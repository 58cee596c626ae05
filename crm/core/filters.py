"""Template filters: money as 265,418,348원, dates as 2021. 11. 25., times in Seoul."""
from datetime import date, datetime
from urllib.parse import urlsplit

from flask import Flask
from flask_babel import gettext as _

from crm.core.time import SEOUL, as_utc


def won(amount: int | None) -> str:
    """265,418,348원 (in English ₩265,418,348)."""
    return "" if amount is None else _("%(amount)s원", amount=f"{amount:,}")


def link_url(value: str | None) -> str | None:
    """A stored address fit for an href: http(s) with a host, else None (a `javascript:` one is never a link)."""
    if not value:
        return None
    parts = urlsplit(value.strip())
    return value.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def korean_date(value: date | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = as_utc(value).astimezone(SEOUL).date()
    return f"{value.year}. {value.month}. {value.day}."


def korean_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    local = as_utc(value).astimezone(SEOUL)
    return f"{korean_date(local.date())} {local:%H:%M}"


def register_template_filters(app: Flask) -> None:
    app.add_template_filter(won)
    app.add_template_filter(link_url)
    app.add_template_filter(korean_date, "date")
    app.add_template_filter(korean_datetime, "datetime")
