"""The languages Tanggap speaks: the one list that settings, users, brands and every app read.

Kept free of models and database imports so that settings can import it."""

from django.utils.translation import gettext_lazy as _

LANGUAGES = [("en", _("English")), ("id", _("Bahasa Indonesia"))]
# In the list's order (English first), for choices and error messages that name them.
LANGUAGE_CODES: tuple[str, ...] = tuple(code for code, _name in LANGUAGES)
