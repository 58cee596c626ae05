"""Whole numbers as people type them into forms and spreadsheets: "1,000", " 42 ", or an int.

One rule for every form, service and import: digits with optional thousands separators, not negative, not
above a maximum that marks a typing mistake; the message names the field's meaning (`what`)."""
import re

from flask_babel import gettext as _

from crm.core.errors import RuleError

_WHOLE_NUMBER = re.compile(r"[+-]?\d+")


def whole_number(value, *, field: str, maximum: int, what: str | None = None, required: bool = False) -> int | None:
    """The number, or None for a blank value that is not required."""
    what = what or _("값")
    if isinstance(value, str):
        text = value.replace(",", "").strip()
        if not text:
            value = None
        elif _WHOLE_NUMBER.fullmatch(text):
            value = int(text)
        else:
            raise RuleError(_("%(what)s은(는) 정수로 입력하세요 (예: 1,000).", what=what), field=field)
    if value is None:
        if required:
            raise RuleError(_("%(what)s을(를) 입력하세요.", what=what), field=field)
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise RuleError(_("%(what)s은(는) 정수로 입력하세요 (예: 1,000).", what=what), field=field)
    if value < 0:
        raise RuleError(_("%(what)s은(는) 0 이상이어야 합니다.", what=what), field=field)
    if value > maximum:
        raise RuleError(_("%(what)s이(가) 너무 큽니다 (최대 %(max)s).", what=what, max=f"{maximum:,}"), field=field)
    return value
