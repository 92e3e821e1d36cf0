"""Output serializers shared by several survey API views."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from surveys.models import Invitation, Option, Question, Response, Survey, TestimonialCandidate


class OptionOut(serializers.ModelSerializer):
    class Meta:
        model = Option
        fields = ["id", "text_en", "text_id", "position"]


class QuestionOut(serializers.ModelSerializer):
    options = OptionOut(many=True, read_only=True)

    class Meta:
        model = Question
        fields = ["id", "kind", "text_en", "text_id", "help_en", "help_id", "required", "position", "options"]


class SurveyOut(serializers.ModelSerializer):
    questions = QuestionOut(many=True, read_only=True)

    class Meta:
        model = Survey
        fields = [
            "id",
            "title_en",
            "title_id",
            "intro_en",
            "intro_id",
            "template",
            "status",
            "created_at",
            "opened_at",
            "closed_at",
            "copied_from",
            "questions",
        ]


class SurveyListOut(serializers.ModelSerializer):
    invitation_count = serializers.IntegerField(read_only=True)
    response_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Survey
        fields = [
            "id",
            "title_en",
            "title_id",
            "template",
            "status",
            "created_at",
            "opened_at",
            "closed_at",
            "invitation_count",
            "response_count",
        ]


class InvitationOut(serializers.ModelSerializer):
    email_state = serializers.CharField(
        source="outbox_state",
        read_only=True,
        help_text="The invitation email: '' not requested, pending, sending, done, or failed (see email_error).",
    )
    email_error = serializers.CharField(
        source="outbox_error", read_only=True, help_text="Why the last attempt failed, if it did."
    )

    class Meta:
        model = Invitation
        fields = [
            "id",
            "name",
            "email",
            "phone",
            "language",
            "incident_id",
            "mention_author",
            "created_at",
            "expires_at",
            "sent_at",
            "reminded_at",
            "answered_at",
            "opted_out_at",
            "email_state",
            "email_error",
        ]


class InvitationWithLinkOut(InvitationOut):
    link = serializers.CharField(help_text="The personal link. Returned once, never stored.")

    class Meta(InvitationOut.Meta):
        fields = [*InvitationOut.Meta.fields, "link"]


class AnswerOut(serializers.Serializer):
    question_id = serializers.UUIDField()
    kind = serializers.CharField()
    value = serializers.JSONField(
        help_text="A number (scales; consent 1/0), a text, or a list of option ids."
    )
    labels = serializers.ListField(child=serializers.CharField(), help_text="Chosen options' English text.")


class SurveyResponseOut(serializers.ModelSerializer):
    invitation = InvitationOut(read_only=True)
    answers = serializers.SerializerMethodField()

    class Meta:
        model = Response
        fields = ["id", "submitted_at", "language", "invitation", "answers"]

    @extend_schema_field(AnswerOut(many=True))
    def get_answers(self, response: Response) -> list[dict]:
        grouped: dict = {}
        for answer in response.answers.all():
            item = grouped.setdefault(
                answer.question_id, {"question_id": answer.question_id, "value": None, "labels": []}
            )
            if answer.option_id:
                item["value"] = [*(item["value"] or []), answer.option_id]
                item["labels"].append(answer.option.text_en)
            elif answer.number is not None:
                item["value"] = answer.number
            else:
                item["value"] = answer.text
        kinds = self.context.get("kinds", {})
        return [{**item, "kind": kinds.get(item["question_id"], "")} for item in grouped.values()]


class TestimonialOut(serializers.ModelSerializer):
    survey_id = serializers.UUIDField(source="response.survey_id", read_only=True)

    class Meta:
        model = TestimonialCandidate
        fields = [
            "id",
            "survey_id",
            "response",
            "author_name",
            "quote",
            "attribution",
            "score_kind",
            "score",
            "language",
            "status",
            "reviewed_at",
            "reviewed_by_email",
            "review_note",
            "created_at",
        ]


class _CsatOut(serializers.Serializer):
    answers = serializers.IntegerField()
    top2 = serializers.IntegerField()
    score = serializers.FloatField(allow_null=True, help_text="% of answers that are 4 or 5.")


class _NpsOut(serializers.Serializer):
    answers = serializers.IntegerField()
    promoters = serializers.IntegerField()
    passives = serializers.IntegerField()
    detractors = serializers.IntegerField()
    score = serializers.FloatField(allow_null=True, help_text="% promoters (9–10) − % detractors (0–6).")


class _CesOut(serializers.Serializer):
    answers = serializers.IntegerField()
    mean = serializers.FloatField(allow_null=True)


class _ScoresOut(serializers.Serializer):
    csat = _CsatOut()
    nps = _NpsOut()
    ces = _CesOut()


class _WeekOut(_ScoresOut):
    week = serializers.DateField(help_text="Monday of the week, in the brand's time zone.")
    responses = serializers.IntegerField()


class _IncidentOut(_ScoresOut):
    incident_id = serializers.UUIDField(allow_null=True)
    invitations = serializers.IntegerField()
    responses = serializers.IntegerField()
    response_rate = serializers.FloatField(allow_null=True)


class ResultsOut(_ScoresOut):
    survey_id = serializers.UUIDField()
    title = serializers.CharField()
    status = serializers.CharField()
    invitations = serializers.IntegerField()
    responses = serializers.IntegerField()
    response_rate = serializers.FloatField(allow_null=True, help_text="% of invitations answered.")
    questions = serializers.ListField(child=serializers.DictField())
    by_week = _WeekOut(many=True)
    by_incident = _IncidentOut(many=True)
