"""Form pieces every package uses."""
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from flask_wtf import FlaskForm
from wtforms import HiddenField

from crm.core.errors import RuleError, StaleEditError
from crm.extensions import db

T = TypeVar("T")


class BaseForm(FlaskForm):
    def add_rule_error(self, error: RuleError) -> None:
        """Show a service's refusal beside the field it concerns, or above the form."""
        field = getattr(self, error.field, None) if error.field else None
        if field is not None and not isinstance(field, HiddenField):
            field.errors = [*field.errors, error.message]
        else:
            self.form_errors.append(error.message)


class VersionedForm(BaseForm):
    """An edit form that carries the version of the record it was opened on."""

    version = HiddenField()

    @property
    def version_number(self) -> int | None:
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return None


@dataclass
class ServiceOutcome(Generic[T]):
    """What a view needs after calling a service for a form: the result, or the form to show again."""

    result: T | None
    form: BaseForm
    status: int | None  # None: the change was made; 409 or 422: refused, nothing stored

    @property
    def ok(self) -> bool:
        return self.status is None


def call_service(form: BaseForm, change: Callable[[], T], *,
                 current_form: Callable[[], BaseForm] | None = None) -> ServiceOutcome[T]:
    """Run a service for a submitted form. A refusal rolls back and lands beside its field; a stale edit
    answers 409 with `current_form()` — the record as it now is — so nothing is overwritten blindly."""
    try:
        return ServiceOutcome(change(), form, None)
    except StaleEditError as error:
        db.session.rollback()
        form = current_form() if current_form else form
        form.add_rule_error(error)
        return ServiceOutcome(None, form, 409)
    except RuleError as error:
        db.session.rollback()
        form.add_rule_error(error)
        return ServiceOutcome(None, form, 422)
