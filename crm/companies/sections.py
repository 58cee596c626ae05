"""Parts of the company page that later packages contribute (coaching, cohorts, campaigns, …).

A package registers a template and a function that builds its context from the company and the viewing
user, in a bounded number of queries; this package never names them."""
from collections.abc import Callable
from dataclasses import dataclass

from crm.companies.models import Company


@dataclass(frozen=True)
class Section:
    template: str
    context: Callable[[Company, object], dict]
    order: int = 100


_sections: list[Section] = []


def register(template: str, context: Callable[[Company, object], dict], order: int = 100) -> None:
    if all(section.template != template for section in _sections):
        _sections.append(Section(template, context, order))
        _sections.sort(key=lambda section: section.order)


def sections_for(company: Company, user) -> list[tuple[str, dict]]:
    """(template, context) of every registered section, in order."""
    return [(section.template, section.context(company, user)) for section in _sections]
