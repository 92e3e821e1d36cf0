"""Positive content in the brand admin: the library (items with media, variants and history),
variants with their platform rule check, scheduling, channels. Every write goes through
content.services; every page, action and custom view names its `content.*` row of the role matrix
(tenants/roles.py), and the services check the same rows again."""

import zoneinfo
from datetime import date, datetime, time, timedelta
from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.postgres.forms import SimpleArrayField
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from content import services
from content.models import (
    Channel,
    ContentItem,
    ContentSettings,
    CrisisHold,
    HistoryEntry,
    MediaRef,
    Variant,
    VariantMetric,
)
from tenants.admin_services import admin_service_call, form_add_service_error, service_refusal_message
from tenants.admin_sites import BrandModelAdmin, ReadOnlyBrandModelAdmin, brand_action, brand_admin_site
from tenants.errors import DomainError
from tenants.platforms import platform_choices


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_view_permission(self, request, obj=None):
        return getattr(request, "brand_role", None) is not None

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class VariantInline(_ReadOnlyInline):
    model = Variant
    fields = ["platform", "status", "scheduled_at", "published_at", "rules"]
    readonly_fields = fields
    show_change_link = True

    @admin.display(description=_("platform rules"))
    def rules(self, obj):
        breaks = services.variant_rule_breaks(obj)
        if not breaks:
            return _("Keeps its platform's rules")
        return format_html_join("", "<div>{}</div>", ((b.message,) for b in breaks))


class MediaInline(_ReadOnlyInline):
    model = MediaRef
    fields = ["file", "kind", "mime_type", "size", "alt_text"]
    readonly_fields = fields


class HistoryInline(_ReadOnlyInline):
    model = HistoryEntry
    fields = ["at", "action", "variant", "actor_email", "comment"]
    readonly_fields = fields
    ordering = ["at", "id"]


class ContentItemForm(forms.ModelForm):
    tags = SimpleArrayField(
        forms.CharField(max_length=50), required=False, label=_("tags"), help_text=_("Separated by commas.")
    )

    class Meta:
        model = ContentItem
        fields = ["kind", "title", "master_text", "language", "tags", "evergreen"]


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("comment"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4}))


# How the respondent chose to be named (the choice is theirs, recorded with their consent).
ATTRIBUTION_LABELS = {
    "first_name": _("First name"),
    "initials": _("Initials"),
    "anonymous": _("Anonymous"),
}


class TestimonialForm(forms.Form):
    """Pick an approved testimonial; it is named exactly as its respondent chose on the survey."""

    candidate = forms.TypedChoiceField(label=_("testimonial"), coerce=str)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from content.testimonial_source import approved_testimonials

        self.fields["candidate"].choices = [
            (
                str(t.id),
                f"{t.author_name or '—'} ({ATTRIBUTION_LABELS.get(t.attribution, t.attribution)}): {t.quote[:80]}",
            )
            for t in approved_testimonials()
        ]


class MediaUploadForm(forms.Form):
    file = forms.FileField(label=_("file"))
    alt_text = forms.CharField(label=_("alt text"), max_length=500, required=False)


@admin.register(ContentItem, site=brand_admin_site)
class ContentItemAdmin(BrandModelAdmin):
    form = ContentItemForm
    list_display = ["title", "kind", "language", "status", "evergreen", "variant_count", "created_at"]
    list_filter = ["kind", "status", "language", "evergreen"]
    search_fields = ["title", "master_text"]
    readonly_fields = ["status", "created_by_email", "created_at", "item_links"]
    inlines = [MediaInline, VariantInline, HistoryInline]
    actions = ["submit_items", "approve_items"]
    add_permission = change_permission = "content.draft"
    # No service deletes content: an item, its variants, history and metrics are the record of
    # what was approved and published (Django's delete would also bypass the services).
    delete_permission = None

    def get_fields(self, request, obj=None):
        fields = ["kind", "title", "master_text", "language", "tags", "evergreen"]
        return fields if obj is None else [*fields, "status", "created_by_email", "created_at", "item_links"]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def get_queryset(self, request):
        from content.selectors import item_list

        return item_list()

    @admin.display(description=_("variants"))
    def variant_count(self, obj):
        return obj.variant_count

    @admin.display(description=_("more"))
    def item_links(self, obj):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:content_contentitem_reject", args=[obj.pk]),
            _("Reject with a comment"),
            reverse("admin:content_contentitem_media", args=[obj.pk]),
            _("Upload media"),
            reverse("admin:content_variant_add") + f"?item={obj.pk}",
            _("Add a platform variant"),
        )

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "testimonials_url": reverse("admin:content_contentitem_testimonials"),
        }
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        data = {k: form.cleaned_data[k] for k in ContentItemForm.Meta.fields}
        if change:
            saved = services.item_update(item_id=obj.pk, actor=request.user, **data)
        else:
            saved = services.item_create(actor=request.user, **data)
        obj.pk = saved.pk
        obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        pass  # inlines are read-only: media and variants are added through services

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            with transaction.atomic():
                return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            service_refusal_message(self, request, exc)
            return HttpResponseRedirect(request.get_full_path())

    def _each(self, request, queryset, fn, done):
        count = 0
        for pk in queryset.values_list("pk", flat=True):
            if not admin_service_call(self, request, partial(fn, item_id=pk, actor=request.user)):
                return
            count += 1
        self.message_user(request, done % {"n": count})

    @brand_action(permission="content.submit", description=_("Submit for review"))
    def submit_items(self, request, queryset):
        self._each(request, queryset, services.item_submit, _("%(n)d item(s) submitted."))

    @brand_action(permission="content.approve", description=_("Approve"))
    def approve_items(self, request, queryset):
        self._each(request, queryset, services.item_approve, _("%(n)d item(s) approved."))

    def get_urls(self):
        wrap = self.brand_view
        return [
            path(
                "testimonials/",
                wrap(self.testimonials_view, permission="content.draft"),
                name="content_contentitem_testimonials",
            ),
            path(
                "<uuid:item_id>/reject/",
                # Every role that decides approvals reaches the item (another brand's id is a 404
                # for them, not a 403); rejecting it is then content.approve, checked by the
                # service as for the API.
                wrap(self.reject_view, permission="approvals.decide"),
                name="content_contentitem_reject",
            ),
            path(
                "<uuid:item_id>/media/",
                wrap(self.media_view, permission="content.draft"),
                name="content_contentitem_media",
            ),
            *super().get_urls(),
        ]

    def _item(self, item_id) -> ContentItem:
        item = ContentItem.objects.filter(pk=item_id).first()
        if item is None:
            raise Http404
        return item

    def _page(self, request, form, title, submit_label, intro="", has_file_field=False):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "changelist_url": "admin:content_contentitem_changelist",
            "form": form,
            "title": title,
            "intro": intro,
            "submit_label": submit_label,
            "has_file_field": has_file_field,
        }
        return TemplateResponse(request, "admin/content/form_page.html", context)

    def testimonials_view(self, request):
        """Approved survey testimonials (consent on record) that can become testimonial drafts."""
        form = TestimonialForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                item = services.testimonial_draft_create(
                    candidate_id=form.cleaned_data["candidate"],
                    actor=request.user,
                )
            except DomainError as exc:
                form_add_service_error(form, exc)
            else:
                return HttpResponseRedirect(reverse("admin:content_contentitem_change", args=[item.pk]))
        return self._page(
            request,
            form,
            _("New testimonial from a survey"),
            _("Make the draft"),
            intro=_("Approved testimonial candidates: respondents who agreed to be quoted."),
        )

    def reject_view(self, request, item_id):
        item = self._item(item_id)
        form = CommentForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.item_reject(
                    item_id=item.pk, actor=request.user, comment=form.cleaned_data["comment"]
                )
            except DomainError as exc:
                form_add_service_error(form, exc)
            else:
                self.message_user(request, _("Sent back to draft with your comment."))
                return HttpResponseRedirect(reverse("admin:content_contentitem_change", args=[item.pk]))
        return self._page(request, form, _("Reject: %s") % item, _("Reject"))

    def media_view(self, request, item_id):
        item = self._item(item_id)
        form = MediaUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.media_add(
                    item_id=item.pk,
                    actor=request.user,
                    upload=form.cleaned_data["file"],
                    alt_text=form.cleaned_data["alt_text"],
                )
            except DomainError as exc:
                form_add_service_error(form, exc)
            else:
                self.message_user(request, _("Uploaded."))
                return HttpResponseRedirect(reverse("admin:content_contentitem_change", args=[item.pk]))
        return self._page(
            request,
            form,
            _("Upload media: %s") % item,
            _("Upload"),
            intro=_("JPEG, PNG, GIF or WebP images up to 10 MB; MP4, MOV or WebM videos up to 200 MB."),
            has_file_field=True,
        )


class VariantAddForm(forms.Form):
    item = forms.ModelChoiceField(queryset=ContentItem.objects.all(), label=_("content item"))
    platform = forms.ChoiceField(choices=platform_choices(publishing_only=True), label=_("platform"))
    text = forms.CharField(
        label=_("text"), widget=forms.Textarea, required=False, help_text=_("Empty: the item's master text.")
    )


class VariantChangeForm(forms.ModelForm):
    class Meta:
        model = Variant
        fields = ["text", "media", "repeat_interval_days", "repeat_until", "repeat_count"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "media" in self.fields:
            self.fields["media"].queryset = MediaRef.objects.filter(item_id=self.instance.item_id)


class ScheduleForm(forms.Form):
    at = forms.DateTimeField(label=_("publish at"), help_text=_("In the brand's time zone."))
    channel = forms.ModelChoiceField(
        queryset=Channel.objects.filter(active=True),
        required=False,
        label=_("channel"),
        help_text=_("Empty: the first active channel for the platform."),
    )


@admin.register(Variant, site=brand_admin_site)
class VariantAdmin(BrandModelAdmin):
    form = VariantChangeForm
    list_display = [
        "item",
        "platform",
        "status",
        "scheduled_at",
        "published_at",
        "channel",
        "rules_ok",
        "hold_reason",
        "proposed_at",
    ]
    list_filter = ["platform", "status", "item__kind"]
    search_fields = ["item__title", "text", "platform_post_id"]
    list_select_related = ["item", "channel"]
    readonly_fields = [
        "item",
        "platform",
        "status",
        "channel",
        "scheduled_at",
        "published_at",
        "platform_post_id",
        "platform_url",
        "handed_off_at",
        "attempts",
        "failures",
        "failure_reason",
        "hold_reason",
        "held_at",
        "proposed_at",
        "rules",
        "schedule_link",
    ]
    actions = ["unschedule_variants", "retry_publishing", "release_held"]
    add_permission = change_permission = "content.draft"
    delete_permission = None  # as for items: taken off the calendar, never deleted

    def get_fields(self, request, obj=None):
        return [
            "text",
            "media",
            "repeat_interval_days",
            "repeat_until",
            "repeat_count",
            *self.readonly_fields,
        ]

    @admin.display(description=_("keeps platform rules"), boolean=True)
    def rules_ok(self, obj):
        return not services.variant_rule_breaks(obj)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("media")

    @admin.display(description=_("platform rules"))
    def rules(self, obj):
        breaks = services.variant_rule_breaks(obj)
        if not breaks:
            return _("Keeps its platform's rules")
        return format_html_join("", "<div>{}</div>", ((b.message,) for b in breaks))

    @admin.display(description=_("schedule"))
    def schedule_link(self, obj):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:content_variant_schedule", args=[obj.pk]),
            _("Schedule…"),
            reverse("admin:content_variant_confirm", args=[obj.pk]),
            _("Confirm it is live…"),
        )

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = VariantAddForm(request.POST or None, initial={"item": request.GET.get("item")})
        if request.method == "POST" and form.is_valid():
            text = form.cleaned_data["text"] or None
            try:
                variant = services.variant_create(
                    item_id=form.cleaned_data["item"].pk,
                    actor=request.user,
                    platform=form.cleaned_data["platform"],
                    text=text,
                )
            except DomainError as exc:
                form_add_service_error(form, exc)
            else:
                return HttpResponseRedirect(reverse("admin:content_variant_change", args=[variant.pk]))
        return self._page(request, form, _("Add a platform variant"), _("Save"))

    def save_model(self, request, obj, form, change):
        services.variant_update(
            variant_id=obj.pk,
            actor=request.user,
            text=form.cleaned_data["text"],
            media_ids=[m.pk for m in form.cleaned_data["media"]],
        )
        repeat = ["repeat_interval_days", "repeat_until", "repeat_count"]
        if any(name in form.changed_data for name in repeat):
            services.variant_evergreen_set(
                variant_id=obj.pk,
                actor=request.user,
                interval_days=form.cleaned_data["repeat_interval_days"],
                until=form.cleaned_data["repeat_until"],
                count=form.cleaned_data["repeat_count"],
            )

    def save_related(self, request, form, formsets, change):
        pass  # media is set by variant_update

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            with transaction.atomic():
                return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            service_refusal_message(self, request, exc)
            return HttpResponseRedirect(request.get_full_path())

    @brand_action(
        permission="content.schedule",
        description=_("Release from the crisis hold (at the proposed time, else now)"),
    )
    def release_held(self, request, queryset):
        for pk in queryset.values_list("pk", flat=True):
            if not admin_service_call(
                self, request, partial(services.variant_release, variant_id=pk, actor=request.user)
            ):
                return
        self.message_user(request, _("Released."))

    @brand_action(permission="content.schedule", description=_("Retry publishing (failed variants)"))
    def retry_publishing(self, request, queryset):
        for pk in queryset.values_list("pk", flat=True):
            if not admin_service_call(
                self, request, partial(services.variant_publish_retry, variant_id=pk, actor=request.user)
            ):
                return
        self.message_user(request, _("Queued for publishing again."))

    @brand_action(permission="content.schedule", description=_("Take off the calendar"))
    def unschedule_variants(self, request, queryset):
        for pk in queryset.values_list("pk", flat=True):
            if not admin_service_call(
                self, request, partial(services.variant_unschedule, variant_id=pk, actor=request.user)
            ):
                return
        self.message_user(request, _("Taken off the calendar."))

    def get_urls(self):
        wrap = self.brand_view
        return [
            path(
                "calendar/",
                wrap(self.calendar_view, permission=self.view_permission),
                name="content_variant_calendar",
            ),
            path(
                "<uuid:variant_id>/schedule/",
                wrap(self.schedule_view, permission="content.schedule"),
                name="content_variant_schedule",
            ),
            path(
                "<uuid:variant_id>/confirm/",
                wrap(self.confirm_view, permission="content.confirm"),
                name="content_variant_confirm",
            ),
            *super().get_urls(),
        ]

    def _page(self, request, form, title, submit_label, intro="", body="", media=()):
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "body": body,
            "media_files": media,
            "changelist_url": "admin:content_variant_changelist",
            "form": form,
            "title": title,
            "intro": intro,
            "submit_label": submit_label,
        }
        return TemplateResponse(request, "admin/content/form_page.html", context)

    def calendar_view(self, request):
        """Month or week view of what is planned, published, failed and held, in the brand's zone."""
        from content.selectors import calendar_list

        zone = zoneinfo.ZoneInfo(request.tenant.timezone)
        mode = "week" if request.GET.get("view") == "week" else "month"
        try:
            anchor = date.fromisoformat(request.GET.get("date", ""))
        except ValueError:
            anchor = timezone.localdate(timezone=zone)
        if mode == "month":
            first = anchor.replace(day=1)
            start_day = first - timedelta(days=first.weekday())
            next_month = (first + timedelta(days=32)).replace(day=1)
            days = (next_month - start_day).days
            days += (7 - days % 7) % 7
            prev_date, next_date = (first - timedelta(days=1)).replace(day=1), next_month
            title = first.strftime("%B %Y")
        else:
            start_day = anchor - timedelta(days=anchor.weekday())
            days = 7
            prev_date, next_date = start_day - timedelta(days=7), start_day + timedelta(days=7)
            title = _("Week of %(day)s") % {"day": start_day.isoformat()}
        start = datetime.combine(start_day, time.min, tzinfo=zone)
        filters = {k: request.GET.get(k) or None for k in ("platform", "kind", "status")}
        platforms = {code for code, _label in platform_choices(publishing_only=True)}
        if filters["platform"] not in platforms:
            filters["platform"] = None
        if filters["kind"] not in ContentItem.Kind.values:
            filters["kind"] = None
        if filters["status"] not in Variant.Status.values:
            filters["status"] = None
        by_day: dict = {}
        for variant in calendar_list(start=start, end=start + timedelta(days=days), **filters)[:2000]:
            local = variant.calendar_time.astimezone(zone)
            by_day.setdefault(local.date(), []).append((local, variant))
        cells = [start_day + timedelta(days=n) for n in range(days)]
        weeks = [
            [(d, by_day.get(d, []), d.month == anchor.month or mode == "week") for d in cells[i : i + 7]]
            for i in range(0, days, 7)
        ]
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("Content calendar: %(period)s") % {"period": title},
            "weeks": weeks,
            "mode": mode,
            "prev_date": prev_date.isoformat(),
            "next_date": next_date.isoformat(),
            "anchor": anchor.isoformat(),
            "zone": zone.key,
            "filters": filters,
            "platform_choices": platform_choices(publishing_only=True),
            "kind_choices": ContentItem.Kind.choices,
            "status_choices": Variant.Status.choices,
        }
        return TemplateResponse(request, "admin/content/calendar.html", context)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "calendar_url": reverse("admin:content_variant_calendar")}
        return super().changelist_view(request, extra_context)

    def schedule_view(self, request, variant_id):
        variant = Variant.objects.select_related("item").filter(pk=variant_id).first()
        if variant is None:
            raise Http404
        form = ScheduleForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            channel = form.cleaned_data["channel"]
            try:
                services.variant_schedule(
                    variant_id=variant.pk,
                    actor=request.user,
                    at=form.cleaned_data["at"],
                    channel_id=channel.pk if channel else None,
                )
            except DomainError as exc:
                form_add_service_error(form, exc)
            else:
                self.message_user(request, _("Scheduled."))
                return HttpResponseRedirect(reverse("admin:content_variant_change", args=[variant.pk]))
        zone = zoneinfo.ZoneInfo(request.tenant.timezone)
        return self._page(
            request,
            form,
            _("Schedule: %s") % variant,
            _("Schedule"),
            intro=_("Times are in %(zone)s.") % {"zone": zone.key},
        )

    def confirm_view(self, request, variant_id):
        """The manual channel's checklist: post the text and media, then record the post here."""
        variant = Variant.objects.select_related("item", "channel").filter(pk=variant_id).first()
        if variant is None:
            raise Http404
        form = ConfirmForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.variant_confirm_published(
                    variant_id=variant.pk, actor=request.user, **form.cleaned_data
                )
            except DomainError as exc:
                form_add_service_error(form, exc)
            else:
                self.message_user(request, _("Recorded as published."))
                return HttpResponseRedirect(reverse("admin:content_variant_change", args=[variant.pk]))
        intro = _(
            "1. Open %(platform)s as the brand. 2. Post the text below with its media. "
            "3. Copy the post's id and address here."
        ) % {"platform": variant.get_platform_display()}
        return self._page(
            request,
            form,
            _("Confirm it is live: %s") % variant,
            _("Confirm"),
            intro=intro,
            body=variant.text,
            media=variant.media.order_by("created_at"),
        )


class ConfirmForm(forms.Form):
    platform_post_id = forms.CharField(label=_("platform post id"), max_length=200)
    url = forms.URLField(label=_("post URL"), max_length=500, required=False, assume_scheme="https")


class ChannelAddForm(forms.Form):
    name = forms.CharField(label=_("name"), max_length=100)
    kind = forms.ChoiceField(label=_("kind"), choices=Channel.Kind.choices)
    platforms = forms.MultipleChoiceField(
        label=_("platforms"),
        choices=platform_choices(publishing_only=True),
        widget=forms.CheckboxSelectMultiple,
    )
    webhook_url = forms.URLField(
        label=_("webhook URL"), required=False, max_length=500, assume_scheme="https"
    )
    email_to = forms.EmailField(label=_("email to"), required=False)


@admin.register(Channel, site=brand_admin_site)
class ChannelAdmin(BrandModelAdmin):
    list_display = ["name", "kind", "platforms", "webhook_url", "email_to", "active"]
    list_filter = ["kind", "active"]
    readonly_fields = ["name", "kind", "platforms", "webhook_url", "email_to", "active", "created_at"]
    actions = ["deactivate", "activate"]
    add_permission = "content.manage_channels"
    # Made through the add page and switched on and off by the actions, never edited; never
    # deleted, since variants keep pointing at the channel that published them.
    change_permission = delete_permission = None

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = ChannelAddForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                channel, secret = services.channel_create(actor=request.user, **form.cleaned_data)
            except DomainError as exc:
                form_add_service_error(form, exc)
            else:
                if secret:
                    self.message_user(
                        request,
                        _("Channel added. Its signing secret, shown only now: %(secret)s")
                        % {"secret": secret},
                        messages.WARNING,
                    )
                else:
                    self.message_user(request, _("Channel added."))
                return HttpResponseRedirect(reverse("admin:content_channel_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "changelist_url": "admin:content_channel_changelist",
            "form": form,
            "title": _("Add a channel"),
            "submit_label": _("Save"),
        }
        return TemplateResponse(request, "admin/content/form_page.html", context)

    def _set(self, request, queryset, active):
        for pk in queryset.values_list("pk", flat=True):
            if not admin_service_call(
                self,
                request,
                partial(services.channel_set_active, channel_id=pk, actor=request.user, active=active),
            ):
                return
        self.message_user(request, _("Saved."))

    @brand_action(permission="content.manage_channels", description=_("Deactivate"))
    def deactivate(self, request, queryset):
        self._set(request, queryset, False)

    @brand_action(permission="content.manage_channels", description=_("Activate"))
    def activate(self, request, queryset):
        self._set(request, queryset, True)


@admin.register(VariantMetric, site=brand_admin_site)
class VariantMetricAdmin(ReadOnlyBrandModelAdmin):
    list_display = ["variant", "measured_at", "reach", "likes", "comments", "shares", "clicks"]
    list_filter = ["variant__platform"]
    list_select_related = ["variant__item"]


@admin.register(ContentSettings, site=brand_admin_site)
class ContentSettingsAdmin(BrandModelAdmin):
    fields = ["hold_enabled", "hold_at_severity", "client_approval_required", "feed_created_at"]
    readonly_fields = ["feed_created_at"]
    list_display = ["__str__", "hold_enabled", "hold_at_severity", "feed_created_at"]
    actions = ["new_feed_link", "revoke_feed_link"]
    change_permission = "content.manage_channels"
    # One row per brand, made on first use and never deleted.
    add_permission = delete_permission = None

    @brand_action(
        permission="content.manage_channels",
        description=_("Make a new calendar feed link (the old one stops working)"),
    )
    def new_feed_link(self, request, queryset):
        from content.feeds import calendar_feed_rotate, calendar_feed_url

        rotated = {}

        def rotate():
            rotated["token"] = calendar_feed_rotate(actor=request.user)

        if admin_service_call(self, request, rotate) and rotated["token"]:
            token = rotated["token"]
            self.message_user(
                request,
                _("Subscribe to this link in your calendar app; it is shown only now: %(url)s")
                % {"url": calendar_feed_url(token)},
                messages.WARNING,
            )

    @brand_action(permission="content.manage_channels", description=_("Revoke the calendar feed link"))
    def revoke_feed_link(self, request, queryset):
        from content.feeds import calendar_feed_revoke

        admin_service_call(self, request, partial(calendar_feed_revoke, actor=request.user))
        self.message_user(request, _("The calendar feed link no longer works."))

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            # The one row exists before anyone opens the list (made here, not in get_queryset, so
            # a change page for a row this brand never made is "not found", not a quiet insert).
            services.content_settings_get()
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj, form, change):
        services.content_settings_update(
            actor=request.user,
            hold_enabled=form.cleaned_data["hold_enabled"],
            hold_at_severity=form.cleaned_data["hold_at_severity"],
            client_approval_required=form.cleaned_data["client_approval_required"],
        )


@admin.register(CrisisHold, site=brand_admin_site)
class CrisisHoldAdmin(ReadOnlyBrandModelAdmin):
    list_display = ["incident_label", "started_at", "ended_at", "held_count"]

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(held=Count("variants"))

    @admin.display(description=_("posts held"))
    def held_count(self, obj):
        return obj.held
