"""The one error type for problems a user can fix; views turn it into a 400 with its message."""

from django.utils.translation import gettext as _


class DomainError(Exception):
    """A request the platform refuses, with a message (and optional field errors) for the user."""

    def __init__(self, message: str, *, field_errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


def text_checked(value, *, field: str, max_length: int, errors: dict | None = None) -> str:
    """One free-text input, stripped and held to its one limit. Services call this, so the API, the
    admin and the war room refuse the same text the same way; serializers describe the same
    constant. With `errors`, the problem is added there (to raise with other fields' problems);
    without, it is raised at once."""
    text = "" if value is None else str(value).strip()
    if len(text) > max_length:
        message = _("At most %(limit)d characters (%(given)d given).") % {
            "limit": max_length,
            "given": len(text),
        }
        if errors is None:
            raise DomainError(message, field_errors={field: [message]})
        errors.setdefault(field, []).append(message)
    return text


def field_errors_raise(errors: dict, message: str | None = None) -> None:
    """Refuse with every field's problem at once, if there is any (the message lists them, for
    pages that show only a message, such as the war room's)."""
    if errors:
        raise DomainError(message or " ".join(m for ms in errors.values() for m in ms), field_errors=errors)
