"""Surveys in the brand admin: build surveys (questions editable while draft), invite one person or
a CSV batch (links shown once), see results and export responses, review testimonial candidates,
set up the messaging channel for customers with only a phone. Every write goes through
surveys.services."""

from functools import partial

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from surveys import services
from surveys.api import responses_csv_response
from surveys.catalog import SURVEY_TEMPLATES
from surveys.forms import InvitationCsvUploadForm
from surveys.models import (
    Answer,
    Invitation,
    MessagingChannel,
    Option,
    Question,
    Response,
    Survey,
    TestimonialCandidate,
)
from surveys.results import survey_results
from surveys.tokens import brand_base_url
from tenants.admin_lists import choices_filter
from tenants.admin_services import admin_service_call, form_add_service_error
from tenants.admin_sites import (
    BrandModelAdmin,
    BrandPermissionMixin,
    ReadOnlyBrandModelAdmin,
    brand_action,
    brand_admin_site,
)
from tenants.errors import DomainError
from tenants.languages import LANGUAGES
from tenants.outbound import receiver_url_check


def _parse_options(text: str) -> list[tuple[str, str]]:
    """One option a line, "English | Bahasa Indonesia"."""
    rows = []
    for line in (text or "").splitlines():
        en, _sep, id_ = line.partition("|")
        if en.strip() or id_.strip():
            rows.append((en.strip(), id_.strip()))
    return rows


class QuestionInlineForm(forms.ModelForm):
    new_options = forms.CharField(
        label=_("options (new choice question)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 30}),
        help_text=_('One a line: "English | Bahasa Indonesia". Edit existing options on the question page.'),
    )

    class Meta:
        model = Question
        fields = ["position", "kind", "text_en", "text_id", "help_en", "help_id", "required"]

    def clean(self):
        data = super().clean()
        if self.instance._state.adding and data.get("kind") in Question.CHOICE_KINDS:
            if len(_parse_options(data.get("new_options", ""))) < 2:
                self.add_error("new_options", _("A choice question needs at least two options."))
        return data


class QuestionInline(BrandPermissionMixin, admin.StackedInline):
    add_permission = change_permission = "surveys.write"
    model = Question
    form = QuestionInlineForm
    extra = 0
    show_change_link = True

    def _editable(self, obj) -> bool:
        return obj is None or obj.status == Survey.Status.DRAFT

    def get_readonly_fields(self, request, obj=None):
        return [] if self._editable(obj) else ["kind", "required"]

    def get_fields(self, request, obj=None):
        fields = ["position", "kind", "text_en", "text_id", "help_en", "help_id", "required"]
        return fields + ["new_options"] if self._editable(obj) else fields

    def has_add_permission(self, request, obj=None):
        return self._editable(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self._editable(obj) and super().has_change_permission(request, obj)


@admin.register(Survey, site=brand_admin_site)
class SurveyAdmin(BrandModelAdmin):
    add_permission = change_permission = "surveys.write"
    list_display = [
        "title_en",
        "status",
        "template",
        "created_at",
        "invitation_count",
        "response_count",
        "results_link",
    ]
    list_filter = [
        "status",
        choices_filter("template", _("made from template"), [(k, k) for k in SURVEY_TEMPLATES]),
    ]
    search_fields = ["title_en", "title_id"]
    fields = ["title_en", "title_id", "intro_en", "intro_id", "status", "template", "copied_from"]
    readonly_fields = ["status", "template", "copied_from"]
    inlines = [QuestionInline]
    actions = ["open_surveys", "close_surveys", "duplicate_surveys"]
    change_list_template = "admin/surveys/survey/change_list.html"

    def get_queryset(self, request):
        from surveys.selectors import survey_list

        return survey_list()

    @admin.display(description=_("invitations"))
    def invitation_count(self, obj):
        return obj.invitation_count

    @admin.display(description=_("responses"))
    def response_count(self, obj):
        return obj.response_count

    @admin.display(description=_("results"))
    def results_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', reverse("admin:surveys_survey_results", args=[obj.pk]), _("Results")
        )

    def save_model(self, request, obj, form, change):
        fields = {k: form.cleaned_data.get(k, "") for k in ("title_en", "title_id", "intro_en", "intro_id")}
        if change:
            services.survey_update(survey_id=obj.pk, **fields)
        else:
            created = services.survey_create(**fields)
            obj.pk, obj.created_at, obj._state.adding = created.pk, created.created_at, False
            obj.status = created.status

    def save_formset(self, request, form, formset, change):
        if formset.model is not Question:
            return super().save_formset(request, form, formset, change)
        survey = form.instance
        # The admin's change message reads these; the services below do the writing.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for f in formset.forms:
            if f in formset.deleted_forms:
                if f.instance.pk and not f.instance._state.adding:
                    admin_service_call(
                        self,
                        request,
                        partial(services.question_remove, question_id=f.instance.pk),
                        rollback=True,
                    )
                continue
            if not f.has_changed():
                continue
            data = f.cleaned_data
            if f.instance._state.adding:
                admin_service_call(
                    self,
                    request,
                    partial(
                        services.question_add,
                        survey_id=survey.pk,
                        kind=data["kind"],
                        text_en=data["text_en"],
                        text_id=data.get("text_id", ""),
                        help_en=data.get("help_en", ""),
                        help_id=data.get("help_id", ""),
                        required=data.get("required", True),
                        position=data.get("position") or None,
                        options=_parse_options(data.get("new_options", "")),
                    ),
                    rollback=True,
                )
            else:
                changes = {k: data[k] for k in f.changed_data if k in QuestionInlineForm.Meta.fields}
                if changes:
                    admin_service_call(
                        self,
                        request,
                        partial(services.question_update, question_id=f.instance.pk, **changes),
                        rollback=True,
                    )

    @brand_action(permission="surveys.write", description=_("Open for answers"))
    def open_surveys(self, request, queryset):
        for survey in queryset:
            if admin_service_call(
                self, request, partial(services.survey_open, survey_id=survey.pk), rollback=True
            ):
                self.message_user(request, _("Opened: %s") % survey)

    @brand_action(permission="surveys.write", description=_("Close"))
    def close_surveys(self, request, queryset):
        for survey in queryset:
            services.survey_close(survey_id=survey.pk)
        self.message_user(request, _("Closed."))

    @brand_action(permission="surveys.write", description=_("Duplicate as draft (to edit questions)"))
    def duplicate_surveys(self, request, queryset):
        for survey in queryset:
            copy = services.survey_duplicate_as_draft(survey_id=survey.pk)
            self.message_user(request, _("Draft copy created: %s") % copy)

    def get_urls(self):
        wrap = self.brand_view
        return [
            path(
                "from-template/",
                wrap(self.from_template_view, permission="surveys.write"),
                name="surveys_survey_from_template",
            ),
            path(
                "<uuid:survey_id>/results/",
                wrap(self.results_view, permission="brand.read"),
                name="surveys_survey_results",
            ),
            path(
                "<uuid:survey_id>/export.csv",
                wrap(self.export_view, permission="brand.read"),
                name="surveys_survey_export",
            ),
            *super().get_urls(),
        ]

    def _survey(self, request, survey_id) -> Survey:
        survey = Survey.objects.filter(pk=survey_id).first()
        if survey is None:
            raise Http404
        return survey

    def results_view(self, request, survey_id):
        survey = self._survey(request, survey_id)
        results = survey_results(survey_id=survey.pk, timezone_name=request.tenant.timezone)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "survey": survey,
            "results": results,
            "title": _("Results: %s") % survey,
        }
        return TemplateResponse(request, "admin/surveys/results.html", context)

    def export_view(self, request, survey_id):
        survey = self._survey(request, survey_id)
        return responses_csv_response(survey_id=survey.pk)

    class FromTemplateForm(forms.Form):
        template = forms.ChoiceField(
            choices=[(k, v["title_en"].replace("{brand}", "…")) for k, v in SURVEY_TEMPLATES.items()]
        )
        open_now = forms.BooleanField(label=_("Open for answers now"), required=False)

    def from_template_view(self, request):
        form = self.FromTemplateForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            survey = services.survey_create_from_template(
                template=form.cleaned_data["template"],
                brand_name=request.tenant.name,
                open_now=form.cleaned_data["open_now"],
            )
            self.message_user(request, _("Survey created from the template."))
            return HttpResponseRedirect(reverse("admin:surveys_survey_change", args=[survey.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "title": _("New survey from a template"),
        }
        return TemplateResponse(request, "admin/surveys/form_page.html", context)


class OptionInline(BrandPermissionMixin, admin.TabularInline):
    model = Option
    extra = 0
    fields = ["position", "text_en", "text_id"]
    readonly_fields = ["position"]
    add_permission = change_permission = "surveys.write"

    def has_add_permission(self, request, obj=None):
        return (
            obj is not None
            and obj.survey.status == Survey.Status.DRAFT
            and super().has_add_permission(request, obj)
        )

    def has_delete_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)


@admin.register(Question, site=brand_admin_site)
class QuestionAdmin(BrandModelAdmin):
    """Reached from a survey's question list; edits options."""

    change_permission = "surveys.write"

    list_display = ["text_en", "survey", "kind", "required", "position"]
    fields = ["survey", "kind", "text_en", "text_id", "help_en", "help_id", "required", "position"]
    inlines = [OptionInline]

    def has_module_permission(self, request):
        return False  # listed under each survey instead

    def has_add_permission(self, request):
        return False  # questions are added on the survey page

    def get_readonly_fields(self, request, obj=None):
        locked = obj is not None and obj.survey.status != Survey.Status.DRAFT
        return ["survey", "kind", "required"] if locked else ["survey", "kind"]

    def save_model(self, request, obj, form, change):
        changes = {k: form.cleaned_data[k] for k in form.changed_data}
        if changes:
            admin_service_call(
                self, request, partial(services.question_update, question_id=obj.pk, **changes), rollback=True
            )

    def save_formset(self, request, form, formset, change):
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for f in formset.forms:
            if f in formset.deleted_forms:
                if f.instance.pk and not f.instance._state.adding:
                    admin_service_call(
                        self, request, partial(services.option_remove, option_id=f.instance.pk), rollback=True
                    )
            elif f.has_changed():
                data = f.cleaned_data
                if f.instance._state.adding:
                    admin_service_call(
                        self,
                        request,
                        partial(
                            services.option_add,
                            question_id=form.instance.pk,
                            text_en=data["text_en"],
                            text_id=data.get("text_id", ""),
                        ),
                        rollback=True,
                    )
                else:
                    admin_service_call(
                        self,
                        request,
                        partial(
                            services.option_update,
                            option_id=f.instance.pk,
                            text_en=data["text_en"],
                            text_id=data.get("text_id", ""),
                        ),
                        rollback=True,
                    )


class InviteForm(InvitationCsvUploadForm):
    """One person (the fields) or many (the CSV file)."""

    name = forms.CharField(label=_("name"), required=False, max_length=200)
    email = forms.EmailField(label=_("email"), required=False)
    phone = forms.CharField(label=_("phone"), required=False, max_length=32)
    language = forms.ChoiceField(
        label=_("language"),
        required=False,
        choices=[("", _("browser, then brand default")), *LANGUAGES],
    )
    incident_id = forms.UUIDField(label=_("incident id"), required=False)
    mention_author = forms.CharField(label=_("mention author"), required=False, max_length=200)

    field_order = [
        "survey",
        "name",
        "email",
        "phone",
        "language",
        "incident_id",
        "mention_author",
        "file",
        "expires_in_days",
        "send_email",
    ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].required = False

    def clean_file(self):
        if not self.cleaned_data.get("file"):
            return None
        return super().clean_file()

    def recipients(self) -> list[dict]:
        data = self.cleaned_data
        if data.get("file"):
            return data["file"]
        return [
            {k: data.get(k) for k in ("name", "email", "phone", "language", "incident_id", "mention_author")}
        ]

    def clean(self):
        data = super().clean()
        if not data.get("file") and not data.get("email") and not data.get("phone") and not self.errors:
            raise forms.ValidationError(_("Give an email or a phone, or upload a CSV file."))
        return data


@admin.register(Invitation, site=brand_admin_site)
class InvitationAdmin(BrandModelAdmin):
    add_permission = "surveys.invite"
    list_display = [
        "__str__",
        "survey",
        "email",
        "phone",
        "language",
        "incident_id",
        "created_at",
        "outbox_state",
        "outbox_error",
        "sent_at",
        "reminded_at",
        "reminder_error",
        "answered_at",
        "opted_out_at",
    ]
    list_filter = [
        "survey",
        "outbox_state",
        ("reminder_failed_at", admin.EmptyFieldListFilter),
        ("answered_at", admin.EmptyFieldListFilter),
        ("opted_out_at", admin.EmptyFieldListFilter),
    ]
    search_fields = ["name", "email", "phone", "mention_author"]
    readonly_fields = [f.name for f in Invitation._meta.fields]
    list_select_related = ["survey"]
    actions = ["send_now", "remind_now", "retry_failed_emails"]

    def has_change_permission(self, request, obj=None):
        return False  # invitations are made and sent through services only

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):  # checked here: this view replaces Django's
            raise PermissionDenied
        form = InviteForm(
            request.POST or None, request.FILES or None, initial={"survey": request.GET.get("survey")}
        )
        created = None
        if request.method == "POST" and form.is_valid():
            try:
                created = services.invitation_create_batch(
                    survey_id=form.cleaned_data["survey"].pk,
                    recipients=form.recipients(),
                    expires_in_days=form.cleaned_data["expires_in_days"],
                    send_email=form.cleaned_data["send_email"],
                )
            except DomainError as exc:
                form_add_service_error(form, exc)
        base = brand_base_url(request.tenant)
        links = [(inv, f"{base}/s/{raw}/") for inv, raw in created or []]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "form": form,
            "links": links,
            "title": _("Invite to a survey"),
            "has_file_field": True,
        }
        return TemplateResponse(request, "admin/surveys/invite.html", context)

    @brand_action(permission="surveys.invite", description=_("Send the invitation email now (if not sent)"))
    def send_now(self, request, queryset):
        services.invitation_emails_queue(invitation_ids=list(queryset.values_list("pk", flat=True)))
        self.message_user(
            request, _("Queued; already emailed, answered or opted-out invitations are skipped.")
        )

    @brand_action(permission="surveys.invite", description=_("Send the one reminder now (if due)"))
    def remind_now(self, request, queryset):
        services.invitation_emails_queue(
            invitation_ids=list(queryset.values_list("pk", flat=True)), reminder=True
        )
        self.message_user(
            request, _("Queued; answered, opted-out or already reminded invitations are skipped.")
        )

    @brand_action(
        permission="surveys.invite",
        description=_("Retry failed invitations and reminders (email or message)"),
    )
    def retry_failed_emails(self, request, queryset):
        count = services.invitation_emails_retry_failed(
            invitation_ids=list(queryset.values_list("pk", flat=True))
        )
        self.message_user(
            request, _("%(count)d failed invitation(s) or reminder(s) queued again.") % {"count": count}
        )


class AnswerInline(BrandPermissionMixin, admin.TabularInline):
    model = Answer
    extra = 0
    fields = ["question", "number", "text", "option"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("question", "option")


@admin.register(Response, site=brand_admin_site)
class ResponseAdmin(ReadOnlyBrandModelAdmin):
    """Only response_submit writes responses: deleting one here would leave its invitation
    answered, its link dead and the results' response counts disagreeing."""

    list_display = ["invitation", "survey", "language", "submitted_at"]
    # Fixed choices, never a DISTINCT over every response (tenants.admin_lists).
    list_filter = ["survey", choices_filter("language", _("language"), lambda: settings.LANGUAGES)]
    list_select_related = ["invitation", "survey"]
    readonly_fields = ["survey", "invitation", "language", "submitted_at"]
    inlines = [AnswerInline]


@admin.register(TestimonialCandidate, site=brand_admin_site)
class TestimonialCandidateAdmin(ReadOnlyBrandModelAdmin):
    """Made by response_submit, reviewed through testimonial_review (the actions below)."""

    list_display = [
        "author_name",
        "quote",
        "score_kind",
        "score",
        "attribution",
        "language",
        "status",
        "reviewed_by_email",
        "created_at",
    ]
    list_filter = [
        "status",
        choices_filter("score_kind", _("score"), [(k.value, k.label) for k in Question.SCALES]),
        choices_filter("language", _("language"), lambda: settings.LANGUAGES),
    ]
    search_fields = ["author_name", "quote"]
    readonly_fields = [f.name for f in TestimonialCandidate._meta.fields]
    actions = ["approve", "reject"]

    def _review(self, request, queryset, decision):
        for pk in queryset.values_list("pk", flat=True):
            services.testimonial_review(candidate_id=pk, decision=decision, actor=request.user)
        self.message_user(request, _("Reviewed."))

    @brand_action(permission="testimonials.review", description=_("Approve for the content calendar"))
    def approve(self, request, queryset):
        self._review(request, queryset, "approve")

    @brand_action(permission="testimonials.review", description=_("Reject"))
    def reject(self, request, queryset):
        self._review(request, queryset, "reject")


class MessagingChannelForm(forms.ModelForm):
    url = forms.URLField(
        label=_("provider webhook URL"), max_length=500, required=False, assume_scheme="https"
    )
    rotate_secret = forms.BooleanField(
        label=_("Make a new signing secret"),
        required=False,
        help_text=_("The old secret keeps signing for 24 hours, so the provider side can switch over."),
    )

    class Meta:
        model = MessagingChannel
        fields = ["kind", "url", "enabled"]

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            # The service checks the same; checking here puts the message on the form's field.
            try:
                if cleaned.get("url"):
                    cleaned["url"] = receiver_url_check(cleaned["url"], what="Provider URLs", host="provider")
                elif cleaned.get("enabled"):
                    self.add_error("url", _("Give the provider's webhook URL to enable the channel."))
            except DomainError as exc:
                form_add_service_error(self, exc, show_message=False)
        return cleaned


@admin.register(MessagingChannel, site=brand_admin_site)
class MessagingChannelAdmin(BrandModelAdmin):
    """One page per brand: the provider's webhook that survey links for customers with only a phone
    are posted to (docs/surveys.md). Its secret is shown once, when made or rotated."""

    view_permission = change_permission = "surveys.messaging"
    add_permission = delete_permission = None  # one row per brand, made on first use
    form = MessagingChannelForm
    fields = ["kind", "url", "enabled", "secret_hint", "rotate_secret", "updated_at"]
    readonly_fields = ["secret_hint", "updated_at"]
    list_display = ["__str__", "kind", "url", "enabled", "updated_at"]

    @admin.display(description=_("signing secret"))
    def secret_hint(self, obj) -> str:
        return obj.secret_hint or _("(made when a URL is saved)")

    def changelist_view(self, request, extra_context=None):
        if not self.has_view_permission(request):
            raise PermissionDenied  # before messaging_channel_get, which makes a missing row
        if request.method == "POST":
            return super().changelist_view(request, extra_context)  # an action: checked there
        channel = services.messaging_channel_get()
        return HttpResponseRedirect(reverse("admin:surveys_messagingchannel_change", args=[channel.pk]))

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None and str(object_id) == "1":
            # The row is made by the migration; should it be gone, the page still opens (unsaved,
            # so a GET writes nothing) and saving makes it through the service.
            obj = MessagingChannel()
        return obj

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            channel, secret = services.messaging_channel_update(
                actor=request.user, kind=data["kind"], url=data.get("url") or "", enabled=data["enabled"]
            )
            if data.get("rotate_secret") and secret is None:
                channel, secret = services.messaging_channel_rotate_secret(actor=request.user)
        except DomainError as exc:  # the form checked the same rules; a race at most
            self.message_user(request, exc.message, messages.ERROR)
            return
        obj.__dict__.update(channel.__dict__)
        if secret:
            self.message_user(
                request,
                format_html(
                    "{} <code>{}</code>",
                    _("Signing secret (copy it now, it is not shown again):"),
                    secret,
                ),
                messages.WARNING,
            )
