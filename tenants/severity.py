"""The one severity scale of alerts, incidents and the content hold: SEV1 (critical) to SEV4
(low), lower is worse, as incident-response teams count. Every app imports it from here, so a
number means the same wherever it is stored, compared or sent.

It imports no app and no model (only Django's choices), so any module may import it."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.IntegerChoices):
    """1 = SEV1 · Critical … 4 = SEV4 · Low. Lower is worse, so `severity__lte=HIGH` reads
    "high or worse" and ordering by `severity` ascending puts the worst first."""

    CRITICAL = 1, _("SEV1 · Critical")
    HIGH = 2, _("SEV2 · High")
    MEDIUM = 3, _("SEV3 · Medium")
    LOW = 4, _("SEV4 · Low")

    # Helpers, so a reader never has to remember the direction (not members: methods).
    @staticmethod
    def is_worse(severity: int, than: int) -> bool:
        """Whether `severity` is worse than `than` (a lower number)."""
        return severity < than

    @staticmethod
    def is_at_or_worse(severity: int, threshold: int) -> bool:
        """Whether `severity` is `threshold` or worse (for "open an incident at SEV2 or worse")."""
        return severity <= threshold

    @classmethod
    def at_or_worse(cls, threshold: int) -> list[int]:
        """The severities that are `threshold` or worse, worst first: for `severity__in=`."""
        return [value for value in cls.values if value <= threshold]

    @staticmethod
    def worst(*severities: int) -> int:
        """The worst of these severities (the lowest number)."""
        return min(severities)


# The scale in one sentence, for help texts (which the API schema shows as field descriptions).
SCALE_HELP = _("1 = SEV1 · Critical, 2 = SEV2 · High, 3 = SEV3 · Medium, 4 = SEV4 · Low; lower is worse.")

# Alerts raised before the scales were one were named with these words (stored notifications keep
# them as message ids), so they stay in the catalogue to be read in every language.
FORMER_ALERT_LABELS = (_("Critical"), _("High"), _("Medium"), _("Low"))
