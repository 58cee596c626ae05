import pytest

from crm.companies.pipeline import Move, Stage, allowed_targets, move_kind
from crm.companies.rules import business_number_is_valid, clean_business_number, format_business_number, name_key
from crm.core.errors import RuleError


@pytest.mark.parametrize("number", ["1208147521", "2208162517", "1248100998"])
def test_known_good_business_numbers_pass_the_check_digit(number):
    assert business_number_is_valid(number) is True


@pytest.mark.parametrize("number", ["2208162518", "1208147520", "1018200123", "0000000001", "12081475",
                                    "12081475211", "12a8147521"])
def test_known_bad_business_numbers_fail(number):
    assert business_number_is_valid(number) is False


def test_a_business_number_is_cleaned_of_dashes_and_shown_with_them():
    assert clean_business_number(" 120-81-47521 ") == "1208147521"
    assert format_business_number("1208147521") == "120-81-47521"
    assert clean_business_number("") is None


@pytest.mark.parametrize(("value", "message"), [
    ("120-81-4752", "10자리"), ("12O-81-47521", "숫자"), ("220-81-62518", "검증번호"),
])
def test_a_bad_business_number_is_refused_with_a_korean_reason(app, value, message):
    with pytest.raises(RuleError) as refused:
        clean_business_number(value)
    assert message in refused.value.message
    assert refused.value.field == "business_number"


def test_names_compare_without_spaces_and_legal_form_words():
    assert name_key("레인보우팜 주식회사 농업회사법인") == name_key("레인보우팜")
    assert name_key("㈜공공디자인이즘") == name_key("(주) 공공 디자인이즘") == "공공디자인이즘"
    assert name_key("Seed Meal") == "seedmeal"


def test_the_transition_table_allows_forward_skips_one_step_back_hold_and_drop():
    assert move_kind(Stage.SOURCED, Stage.CONTACTED) is Move.FORWARD
    assert move_kind(Stage.SOURCED, Stage.LISTED) is Move.SKIP
    assert move_kind(Stage.APPLIED, Stage.GUIDED) is Move.BACK
    assert move_kind(Stage.APPLIED, Stage.CONTACTED) is None  # back two stages
    assert move_kind(Stage.GUIDED, Stage.ON_HOLD) is Move.HOLD
    assert move_kind(Stage.LISTED, Stage.DROPPED) is Move.DROP
    assert move_kind(Stage.DROPPED, Stage.SOURCED) is Move.REOPEN
    assert move_kind(Stage.DROPPED, Stage.CONTACTED) is None


def test_from_on_hold_a_company_returns_only_to_the_stage_it_left():
    assert allowed_targets(Stage.ON_HOLD, held_from=Stage.GUIDED) == [Stage.GUIDED, Stage.DROPPED]
    assert move_kind(Stage.ON_HOLD, Stage.APPLIED, held_from=Stage.GUIDED) is None
