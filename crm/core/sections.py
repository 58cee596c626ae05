"""Parts of a page that other packages contribute: the company page shows coaching, cohorts and campaigns; a
programme page shows its campaigns; a campaign page shows metrics and deliverables. The page's owner keeps a
`SectionRegistry`; a later package registers a template and a function that builds its context from the
page's record and the viewing user, in a bounded number of queries. The owner never names them."""
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Section:
    template: str
    context: Callable[[object, object], dict]
    order: int = 100


class SectionRegistry:
    def __init__(self) -> None:
        self._sections: list[Section] = []

    def register(self, template: str, context: Callable[[object, object], dict], order: int = 100) -> None:
        if all(section.template != template for section in self._sections):
            self._sections.append(Section(template, context, order))
            self._sections.sort(key=lambda section: section.order)

    def sections_for(self, record, user) -> list[tuple[str, dict]]:
        """(template, context) of every registered section, in order."""
        return [(section.template, section.context(record, user)) for section in self._sections]
