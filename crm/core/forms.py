"""Form pieces every package uses."""
from flask_wtf import FlaskForm
from wtforms import HiddenField

from crm.core.errors import RuleError


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
