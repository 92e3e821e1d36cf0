"""The public answer form, built from a survey's questions, and the brand-admin CSV upload form.
Messages are translated in the active language."""

import csv
import io

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from surveys.models import Question, Survey, TestimonialCandidate

K = Question.Kind
MAX_CSV_BYTES = 2 * 1024 * 1024


CONSENT_NO = "no"


def consent_choices() -> list[tuple[str, str]]:
    """The consent question's answers: no, or yes with how the respondent may be named; the value
    of a yes is the attribution the testimonial then uses."""
    A = TestimonialCandidate.Attribution
    return [
        (A.FIRST_NAME, gettext("Yes, with my first name")),
        (A.INITIALS, gettext("Yes, with my initials only")),
        (A.ANONYMOUS, gettext("Yes, without my name")),
        (CONSENT_NO, gettext("No")),
    ]


def field_name(question: Question) -> str:
    return f"q_{question.pk.hex}"


class AnswerForm(forms.Form):
    """One field per question. `answers()` gives the values response_submit takes."""

    def __init__(self, questions, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = list(questions)
        for q in self.questions:
            self.fields[field_name(q)] = self._field_for(q)

    @staticmethod
    def _field_for(q: Question) -> forms.Field:
        messages = {"required": gettext("Please answer this question.")}
        common = {"label": q.text, "help_text": q.help, "required": q.required, "error_messages": messages}
        if q.scale:
            low, high = q.scale
            messages["invalid_choice"] = gettext("Choose a number from %(low)s to %(high)s.") % {
                "low": low,
                "high": high,
            }
            return forms.TypedChoiceField(
                choices=[(str(v), str(v)) for v in range(low, high + 1)],
                coerce=int,
                empty_value=None,
                widget=forms.RadioSelect,
                **common,
            )
        if q.kind == K.CONSENT:
            messages["invalid_choice"] = gettext("Choose whether, and how, we may quote you.")
            return forms.TypedChoiceField(
                choices=consent_choices(),
                coerce=lambda v: False if v == CONSENT_NO else v,
                empty_value=None,
                widget=forms.RadioSelect,
                **common,
            )
        if q.kind in Question.CHOICE_KINDS:
            choices = [(str(o.pk), o.text) for o in q.options.all()]
            if q.kind == K.SINGLE_CHOICE:
                messages["invalid_choice"] = gettext("Choose one of the options.")
                return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
            messages["invalid_choice"] = gettext("Choose from the options shown.")
            messages["invalid_list"] = gettext("Choose from the options shown.")
            return forms.MultipleChoiceField(choices=choices, widget=forms.CheckboxSelectMultiple, **common)
        limit = Question.TEXT_LIMITS[q.kind]
        messages["max_length"] = gettext("Please keep it under %(limit)d characters.") % {"limit": limit}
        widget = forms.Textarea(attrs={"rows": 5}) if q.kind == K.LONG_TEXT else forms.TextInput
        return forms.CharField(max_length=limit, strip=True, widget=widget, **common)

    def answers(self) -> dict:
        from uuid import UUID

        result = {}
        for q in self.questions:
            value = self.cleaned_data.get(field_name(q))
            if value in (None, "", []):
                continue
            if q.kind == K.SINGLE_CHOICE:
                value = [UUID(value)]
            elif q.kind == K.MULTIPLE_CHOICE:
                value = [UUID(v) for v in dict.fromkeys(value)]  # a repeated box counts once
            result[q.pk] = value
        return result

    def rows(self):
        """(question, bound field) pairs, in order, for the template."""
        return [(q, self[field_name(q)]) for q in self.questions]


def answers_from_post(questions, data) -> dict | None:
    """The answers of a submission parsed without building a form: the same values AnswerForm gives
    when everything is well-formed, None at the first malformed value. The public page's fast path
    uses it and leaves range and required checks to response_submit; anything odd goes through
    AnswerForm, which explains each problem on its field."""
    from uuid import UUID

    answers = {}
    try:
        for q in questions:
            name = field_name(q)
            if q.kind == K.MULTIPLE_CHOICE:
                values = data.getlist(name)
                if values:
                    answers[q.pk] = [UUID(v) for v in dict.fromkeys(values)]
                continue
            value = data.get(name, "")
            if q.kind in Question.TEXT_LIMITS:
                value = value.strip()
                if "\x00" in value:
                    return None  # PostgreSQL refuses NUL; the form says so on the field
                if value:
                    answers[q.pk] = value
            elif value == "":
                continue
            elif q.scale:
                if not value.isdigit():
                    return None
                answers[q.pk] = int(value)
            elif q.kind == K.CONSENT:
                if value == CONSENT_NO:
                    answers[q.pk] = False
                elif value in TestimonialCandidate.Attribution.values:
                    answers[q.pk] = value
                else:
                    return None
            else:
                answers[q.pk] = [UUID(value)]
    except ValueError:
        return None
    return answers


INVITATION_CSV_COLUMNS = ("name", "email", "phone", "language", "incident_id", "mention_author")


class InvitationCsvUploadForm(forms.Form):
    survey = forms.ModelChoiceField(
        queryset=Survey.objects.filter(status=Survey.Status.OPEN), label=_("Survey (open surveys only)")
    )
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Header row with: name, email, phone, language (en/id), incident_id, mention_author. "
            "Each row needs an email or a phone."
        ),
    )
    expires_in_days = forms.IntegerField(
        label=_("Links expire after (days)"), min_value=1, max_value=365, initial=14
    )
    send_email = forms.BooleanField(label=_("Email the invitations"), required=False, initial=True)

    def clean_file(self) -> list[dict]:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_CSV_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise forms.ValidationError(_("Save the file as UTF-8 CSV."))
        # newline=None reads old-Mac CR line ends as well, which the csv module refuses otherwise.
        reader = csv.DictReader(io.StringIO(text, newline=None))
        try:
            fields = [f.strip().lower() for f in (reader.fieldnames or [])]
            if "email" not in fields and "phone" not in fields:
                raise forms.ValidationError(_("The header row needs an email or a phone column."))
            reader.fieldnames = fields
            rows = [
                {k: (v or "").strip() for k, v in row.items() if k in INVITATION_CSV_COLUMNS}
                for row in reader
            ]
        except csv.Error as exc:  # e.g. a cell over the csv module's 128 KB limit
            raise forms.ValidationError(
                _("The file is not a readable CSV (line %(line)d).") % {"line": reader.line_num}
            ) from exc
        rows = [row for row in rows if any(row.values())]
        if not rows:
            raise forms.ValidationError(_("The file has no recipients."))
        return rows
