"""A customer's contact as every app takes it (survey invitations, a review's affected customers):
an email address or a phone number, and the language to write to them in."""

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from tenants.languages import LANGUAGE_CODES

# ASCII digits only: messaging providers want them (str.isdigit also takes other scripts' digits).
PHONE_CHARACTERS = frozenset("0123456789+-() ")


def contact_errors(*, email: str, phone: str, language: str, email_max_length: int) -> dict[str, str]:
    """The problems of a cleaned contact (stripped, email and language lower-cased), by field."""
    errors: dict[str, str] = {}
    if len(email) > email_max_length:
        errors["email"] = f"At most {email_max_length} characters."
    elif email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = "Enter a valid email address."
    if phone and not set(phone) <= PHONE_CHARACTERS:
        errors["phone"] = "Use digits, spaces and + - ( ) only."
    if not email and not phone:
        errors.setdefault("email", "Give an email address or a phone number.")
    if language and language not in LANGUAGE_CODES:
        errors["language"] = f"Use {', '.join(LANGUAGE_CODES)} or leave empty."
    return errors
