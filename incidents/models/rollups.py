"""Rollups of the mention stream, kept by the database itself: per UTC hour and platform, mention
counts by sentiment band, complaints and answers; per UTC hour and platform, the last follower count
reported. Statement-level triggers on the mentions and metric-sample tables keep them current on
every write path (intake, scoring, rescoring, answering, late arrivals, deletion); see the migration
`mention_rollups`. `manage.py rollups_rebuild` recomputes them from the raw rows.

The brand's own posts are never counted. Hours are UTC so that a report can cut days at any
brand's midnight (every whole-hour zone; see docs/reports.md)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["FollowerHourly", "MentionHourly"]


class MentionHourly(models.Model):
    """Mentions posted in one UTC hour on one platform (the brand's own posts excluded).
    A complaint is a negative mention or one scored as a complaint, the same rule the
    unanswered-complaints detector uses; "in target" means answered within the brand's response
    target (detector settings) as it was when the answer was recorded."""

    pk = models.CompositePrimaryKey("hour", "platform")
    hour = models.DateTimeField(_("hour"))
    platform = models.CharField(_("platform"), max_length=32)
    total = models.BigIntegerField(_("mentions"), default=0)
    negative = models.BigIntegerField(_("negative"), default=0)
    neutral = models.BigIntegerField(_("neutral"), default=0)
    positive = models.BigIntegerField(_("positive"), default=0)
    answered = models.BigIntegerField(_("answered"), default=0)
    complaints = models.BigIntegerField(_("complaints"), default=0)
    complaints_answered = models.BigIntegerField(_("complaints answered"), default=0)
    complaints_answered_in_target = models.BigIntegerField(_("complaints answered within target"), default=0)

    class Meta:
        verbose_name = _("hourly mention rollup")
        verbose_name_plural = _("hourly mention rollups")

    def __str__(self) -> str:
        return f"{self.platform} {self.hour:%Y-%m-%d %H:00}: {self.total}"


class FollowerHourly(models.Model):
    """The last follower count an integration reported in one UTC hour on one platform."""

    pk = models.CompositePrimaryKey("hour", "platform")
    hour = models.DateTimeField(_("hour"))
    platform = models.CharField(_("platform"), max_length=32)
    followers = models.BigIntegerField(_("followers"))
    measured_at = models.DateTimeField(_("measured at"))

    class Meta:
        verbose_name = _("hourly follower rollup")
        verbose_name_plural = _("hourly follower rollups")

    def __str__(self) -> str:
        return f"{self.platform} {self.hour:%Y-%m-%d %H:00}: {self.followers}"
