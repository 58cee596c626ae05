"""Rules on company data that forms and imports share: business numbers, names, regions."""
import re

from flask_babel import gettext as _

from crm.core.errors import RuleError

BUSINESS_NUMBER_WEIGHTS = (1, 3, 7, 1, 3, 7, 1, 3, 5)
# Legal-form words that are not part of what people call a company (ignored by search and duplicates).
LEGAL_FORM_WORDS = ("농업회사법인", "영농조합법인", "주식회사", "유한회사", "사단법인", "재단법인",
                    "㈜", "(주)", "（주）", "(유)", "(사)", "(재)", "(농)")
_SPACES = re.compile(r"\s+")


def business_number_is_valid(digits: str) -> bool:
    """The National Tax Service check digit of a 10-digit 사업자등록번호."""
    if len(digits) != 10 or not digits.isdigit():
        return False
    numbers = [int(d) for d in digits]
    total = sum(n * w for n, w in zip(numbers, BUSINESS_NUMBER_WEIGHTS, strict=False))
    total += numbers[8] * 5 // 10
    return (10 - total % 10) % 10 == numbers[9]


def clean_business_number(value: str | None, field: str = "business_number") -> str | None:
    """10 digits, or None for an empty value; dashes and spaces are ignored. Refuses a wrong check digit."""
    if value is None or not value.strip():
        return None
    digits = re.sub(r"[\s-]", "", value)
    if not digits.isdigit():
        raise RuleError(_("사업자등록번호는 숫자 10자리입니다 (예: 123-45-67890)."), field=field)
    if len(digits) != 10:
        raise RuleError(_("사업자등록번호는 숫자 10자리입니다. 입력한 숫자는 %(n)d자리입니다.", n=len(digits)),
                        field=field)
    if not business_number_is_valid(digits):
        raise RuleError(_("사업자등록번호의 검증번호(마지막 자리)가 맞지 않습니다."), field=field)
    return digits


def format_business_number(digits: str | None) -> str:
    return f"{digits[:3]}-{digits[3:5]}-{digits[5:]}" if digits else ""


def name_key(name: str | None) -> str:
    """A name as search and duplicate checks compare it: no spaces, no legal-form words, lower case."""
    key = name or ""
    for word in LEGAL_FORM_WORDS:
        key = key.replace(word, "")
    return _SPACES.sub("", key).lower()
