"""The report's sales change rate on its edge cases, and how a printed rate is compared with it."""
import pytest

from crm.campaigns.rates import change_rate, stated_figure_disagrees, stated_rate_disagrees


def test_no_sales_before_or_after_has_no_rate(app):
    rate = change_rate(0, 0)

    assert rate.percent is None
    assert not rate.is_new_sales
    assert rate.label == "-"


def test_sales_from_nothing_are_new_sales_not_a_number(app):
    rate = change_rate(0, 1_801_300)

    assert rate.percent is None
    assert rate.is_new_sales
    assert rate.label == "신규매출발생"
    assert rate.stated_form == "신규매출발생"


def test_sales_falling_to_nothing_are_minus_one_hundred_percent(app):
    assert change_rate(4_322_290, 0).label == "-100%"


def test_a_half_percent_rounds_away_from_zero(app):
    # 서천식품: 40,000 → 3,747,000 is 9,267.5%, which the report prints as 9,268%.
    assert change_rate(40_000, 3_747_000).label == "9,268%"
    assert change_rate(200, 99).percent == -51  # -50.5% rounds to -51%, not -50%


def test_a_fall_is_a_negative_percent(app):
    # 건강을 그리다: 4,322,290 → 572,780.
    assert change_rate(4_322_290, 572_780).label == "-87%"


@pytest.mark.parametrize(("before", "after"), [(None, 100), (100, None), (None, None)])
def test_a_missing_figure_has_no_rate(app, before, after):
    rate = change_rate(before, after)

    assert rate.percent is None
    assert not rate.is_new_sales


def test_the_report_rates_of_slide_18_follow_from_its_figures(app):
    rows = [(76_266_640, 77_562_820, "2%"), (15_194_600, 26_662_780, "75%"), (426_700, 5_111_930, "1,098%"),
            (618_000, 3_156_010, "411%"), (892_300, 2_164_870, "143%"), (2_298_300, 17_744_200, "672%"),
            (227_000, 438_200, "93%")]

    assert [change_rate(before, after).label for before, after, _printed in rows] == [row[2] for row in rows]


def test_a_printed_rate_agrees_whatever_its_spacing_and_separators(app):
    assert not stated_rate_disagrees("1098 %", change_rate(426_700, 5_111_930))
    assert not stated_rate_disagrees(None, change_rate(1, 2))
    assert not stated_rate_disagrees("  ", change_rate(1, 2))
    assert stated_rate_disagrees("32%", change_rate(4_322_290, 572_780))
    assert stated_rate_disagrees("100%", change_rate(0, 5))


def test_a_stated_figure_disagrees_only_when_both_are_known(app):
    assert stated_figure_disagrees(144_115_890, 138_961_890)
    assert not stated_figure_disagrees(None, 138_961_890)
    assert not stated_figure_disagrees(144_115_890, None)
    assert not stated_figure_disagrees(100, 100)
