"""The report's sales change rate, and how a figure a source printed is compared with the records.

Rate = after / before − 1 as a whole percent, halves rounded away from zero (9,267.5% prints as 9,268%).
Before 0 and after above 0 is 신규매출발생, not a number; 0 → 0 and a missing figure have no rate."""
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import gettext as _

NEW_SALES_LABEL = "신규매출발생"
NO_RATE_LABEL = "-"


@dataclass(frozen=True)
class ChangeRate:
    percent: int | None  # None when the rate is not a number
    is_new_sales: bool = False

    @property
    def label(self) -> str:
        if self.is_new_sales:
            return _("신규매출발생")
        if self.percent is None:
            return NO_RATE_LABEL
        return f"{self.percent:,}%"

    @property
    def stated_form(self) -> str:
        """The rate as a Korean source prints it, whatever the reader's language (for comparisons)."""
        if self.is_new_sales:
            return NEW_SALES_LABEL
        return NO_RATE_LABEL if self.percent is None else f"{self.percent:,}%"


def change_rate(before: int | None, after: int | None) -> ChangeRate:
    if before is None or after is None:
        return ChangeRate(None)
    if before == 0:
        return ChangeRate(None, is_new_sales=after > 0)
    percent = (Decimal(after - before) * 100 / Decimal(before)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return ChangeRate(int(percent))


def _normalised(text: str) -> str:
    return "".join(text.split()).replace(",", "")


def stated_rate_disagrees(stated: str | None, computed: ChangeRate) -> bool:
    """True when a printed rate differs from the one the figures give ("1,098%" and "1098 %" agree)."""
    if stated is None or not stated.strip():
        return False
    return _normalised(stated) != _normalised(computed.stated_form)


def stated_figure_disagrees(stated: int | None, computed: int | None) -> bool:
    return stated is not None and computed is not None and stated != computed
