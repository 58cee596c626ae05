"""Time: timestamps are stored in UTC; dates and weeks are reckoned in Asia/Seoul."""
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

SEOUL = ZoneInfo("Asia/Seoul")


def utcnow() -> datetime:
    return datetime.now(UTC)


def seoul_today() -> date:
    return utcnow().astimezone(SEOUL).date()


def seoul_date(moment: datetime) -> date:
    """The Seoul calendar day of a stored timestamp."""
    return as_utc(moment).astimezone(SEOUL).date()


def as_utc(value: datetime) -> datetime:
    """SQLite returns naive datetimes for timezone-aware columns; they were stored as UTC."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
