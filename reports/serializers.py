"""The shapes of the report API's answers, for the OpenAPI schema (the selectors return plain
JSON-ready dicts in exactly these shapes; see the contract in reports/selectors.py)."""

from rest_framework import serializers

S = serializers


def _n(**kwargs):
    return S.IntegerField(allow_null=True, **kwargs)


def _f(**kwargs):
    return S.FloatField(allow_null=True, **kwargs)


class ReportPeriodOut(S.Serializer):
    key = S.CharField()
    label = S.CharField(allow_blank=True)
    start = S.DateTimeField()
    end = S.DateTimeField()
    previous_start = S.DateTimeField()
    previous_end = S.DateTimeField()
    timezone = S.CharField()


class _ReportPreviousMentionsOut(S.Serializer):
    total = S.IntegerField()
    negative = S.IntegerField()
    negative_share = _f()
    complaints = S.IntegerField()


class _ReportPlatformMentionsOut(S.Serializer):
    platform = S.CharField()
    total = S.IntegerField()
    negative = S.IntegerField()
    neutral = S.IntegerField()
    positive = S.IntegerField()
    negative_share = _f()


class ReportMentionsOut(S.Serializer):
    total = S.IntegerField()
    negative = S.IntegerField()
    neutral = S.IntegerField()
    positive = S.IntegerField()
    complaints = S.IntegerField()
    answered = S.IntegerField()
    negative_share = _f(help_text="negative ÷ total, 0–1; null without mentions")
    previous = _ReportPreviousMentionsOut()
    by_platform = _ReportPlatformMentionsOut(many=True)


class _ReportPointOut(S.Serializer):
    at = S.DateTimeField()
    total = S.IntegerField()
    negative = S.IntegerField()
    neutral = S.IntegerField()
    positive = S.IntegerField()
    complaints = S.IntegerField()
    answered = S.IntegerField()
    negative_share = _f()


class ReportSeriesOut(S.Serializer):
    interval = S.ChoiceField(choices=["day", "hour"])
    points = _ReportPointOut(many=True)


class ReportFollowersOut(S.Serializer):
    platform = S.CharField()
    start = _n(help_text="The last count reported before the period")
    end = S.IntegerField(help_text="The last count reported before the period's end")
    change = _n()


class _ReportSeverityOut(S.Serializer):
    severity = S.IntegerField()
    label = S.CharField()
    count = S.IntegerField()


class _ReportCategoryOut(S.Serializer):
    category = S.CharField(allow_blank=True)
    label = S.CharField()
    count = S.IntegerField()


class _ReportDurationOut(S.Serializer):
    median_s = _n()
    p90_s = _n()
    measured = S.IntegerField()


class _ReportTargetOut(S.Serializer):
    severity = S.IntegerField()
    label = S.CharField()
    first_response_target_s = S.IntegerField()
    resolve_target_s = S.IntegerField()


class _ReportMissedOut(S.Serializer):
    id = S.CharField()
    number = S.IntegerField()
    title = S.CharField()
    severity = S.IntegerField()
    severity_label = S.CharField()
    first_response_s = _n()
    resolve_s = _n()
    first_response_target_s = S.IntegerField()
    resolve_target_s = S.IntegerField()
    missed_first_response = S.BooleanField()
    missed_resolve = S.BooleanField()


class ReportIncidentsOut(S.Serializer):
    count = S.IntegerField()
    previous_count = S.IntegerField()
    by_severity = _ReportSeverityOut(many=True)
    by_category = _ReportCategoryOut(many=True)
    first_response = _ReportDurationOut()
    resolve = _ReportDurationOut()
    targets = _ReportTargetOut(many=True)
    missed = _ReportMissedOut(many=True)


class _ReportKindCountOut(S.Serializer):
    kind = S.CharField()
    label = S.CharField()
    count = S.IntegerField()


class ReportResponsesOut(S.Serializer):
    sent = S.IntegerField()
    by_kind = _ReportKindCountOut(many=True)
    approved = S.IntegerField()
    approval_median_s = _n()
    approval_p90_s = _n()
    previous_sent = S.IntegerField()


class _ReportPreviousComplaintsOut(S.Serializer):
    total = S.IntegerField()
    answered = S.IntegerField()
    answered_within_target = S.IntegerField()
    share_within_target = _f()


class ReportComplaintsOut(S.Serializer):
    total = S.IntegerField()
    answered = S.IntegerField()
    unanswered = S.IntegerField()
    answered_within_target = S.IntegerField()
    share_within_target = _f()
    target_minutes = S.IntegerField()
    previous = _ReportPreviousComplaintsOut()


class ReportModerationOut(S.Serializer):
    rule = S.CharField()
    rule_number = S.IntegerField()
    guideline_version = S.IntegerField()
    action = S.CharField()
    action_label = S.CharField()
    count = S.IntegerField()
    reasons = S.ListField(child=S.CharField())


class _ReportScoresOut(S.Serializer):
    csat = _f(help_text="% of 4–5 answers")
    nps = _f(help_text="% promoters − % detractors")
    ces = _f(help_text="mean, 1–7")
    responses = S.IntegerField()


class _ReportIncidentScoresOut(_ReportScoresOut):
    id = S.CharField()
    title = S.CharField()


class ReportSatisfactionOut(_ReportScoresOut):
    previous = _ReportScoresOut()
    by_incident = _ReportIncidentScoresOut(many=True)


class _ReportPlatformCountOut(S.Serializer):
    platform = S.CharField()
    count = S.IntegerField()


class _ReportEngagementOut(S.Serializer):
    likes = S.IntegerField()
    comments = S.IntegerField()
    shares = S.IntegerField()


class ReportContentOut(S.Serializer):
    published = S.IntegerField()
    by_kind = _ReportKindCountOut(many=True)
    by_platform = _ReportPlatformCountOut(many=True)
    engagement = _ReportEngagementOut()
    previous_published = S.IntegerField()


class ReportSummaryOut(S.Serializer):
    period = ReportPeriodOut()
    mentions = ReportMentionsOut()
    series = ReportSeriesOut()
    followers = ReportFollowersOut(many=True)
    incidents = ReportIncidentsOut()
    responses = ReportResponsesOut()
    complaints = ReportComplaintsOut()
    moderation = ReportModerationOut(many=True)
    satisfaction = ReportSatisfactionOut()
    content = ReportContentOut()


class _ReportTimeseriesPointOut(S.Serializer):
    at = S.DateTimeField()
    value = S.FloatField(allow_null=True)
    by_platform = S.DictField(child=S.IntegerField(), required=False, help_text="followers only")
    responses = S.IntegerField(required=False, help_text="csat, nps and ces only")


class ReportTimeseriesOut(S.Serializer):
    metric = S.CharField()
    interval = S.ChoiceField(choices=["day", "hour"])
    timezone = S.CharField()
    points = _ReportTimeseriesPointOut(many=True)
