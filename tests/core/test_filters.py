from datetime import UTC, date, datetime

from crm.core.filters import korean_date, korean_datetime, won


def test_money_is_whole_won_with_thousands_separators():
    assert won(265418348) == "265,418,348원"
    assert won(0) == "0원"
    assert won(None) == ""


def test_dates_show_as_the_report_prints_them():
    assert korean_date(date(2021, 11, 25)) == "2021. 11. 25."
    assert korean_date(None) == ""


def test_timestamps_show_in_seoul_time_even_across_midnight():
    late_utc = datetime(2021, 11, 24, 15, 30, tzinfo=UTC)

    assert korean_date(late_utc) == "2021. 11. 25."
    assert korean_datetime(late_utc) == "2021. 11. 25. 00:30"
    assert korean_datetime(datetime(2021, 11, 24, 15, 30)) == "2021. 11. 25. 00:30"  # naive values are UTC
