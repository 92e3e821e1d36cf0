"""The one way a brand's table points at a public user: a foreign key without a database
constraint or cascade, because users live in the public schema, where Django's deletion collector
cannot see brand tables (a user's deletion must not have to reach into every brand)."""

from django.conf import settings
from django.db import models


def user_ref(verbose_name=None, **kwargs) -> models.ForeignKey:
    """A nullable reference to a public user that never cascades and has no database constraint.
    Read `<name>_id` for the id alone; the user may since have been deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=verbose_name,
        **kwargs,
    )
