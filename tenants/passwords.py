"""Password reset by email on every host (sent in the user's language, from the brand's or the
agency's name, throttled, with single-use links that expire) and the signed-in password change."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import path, reverse_lazy
from django.utils import translation
from django.utils.http import base36_to_int
from django.utils.translation import gettext_lazy as _
from django_ratelimit.core import is_ratelimited

from tenants.audit import Action, audit_record
from tenants.localization import reader_context
from tenants.lockout import client_ip
from tenants.mail import email_send_on_commit, reply_to_addresses, sender_address
from tenants.models import AgencyMembership, BrandGrant, User


class ResetTokenGenerator(PasswordResetTokenGenerator):
    """Django's reset tokens (they stop working once the password or last sign-in changes, so a
    link is spent by its use) with their own salt, so an invitation's set-password token is no
    reset token, and a shorter life: PASSWORD_RESET_LINK_SECONDS."""

    key_salt = "tanggap.accounts.password_reset"

    def check_token(self, user, token) -> bool:
        if not super().check_token(user, token):
            return False
        try:
            issued = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        return self._num_seconds(self._now()) - issued <= settings.PASSWORD_RESET_LINK_SECONDS


reset_token_generator = ResetTokenGenerator()


def _brand(request):
    tenant = getattr(request, "tenant", None)
    return None if tenant is None or tenant.schema_name == "public" else tenant


def sender_for(*, request, user: User) -> str:
    """The From header (tenants.mail): the brand's on its host; on the main host the user's
    agency's name (the platform's name for an operator), always with the platform's address."""
    brand = _brand(request)
    if brand is not None:
        return sender_address(brand=brand)
    membership = AgencyMembership.objects.filter(user=user).select_related("agency").first()
    return sender_address(agency=membership.agency if membership else None)


class ResetRequestForm(PasswordResetForm):
    """Django's reset form, with the mail rendered in each user's language, sent after commit by
    the brand's or agency's sender; on a brand host only people of that brand get a link."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def get_users(self, email):
        users = super().get_users(email)
        brand = _brand(self.request) if self.request is not None else None
        if brand is None:
            return users
        return (
            u
            for u in users
            if BrandGrant.objects.filter(user=u, brand=brand).exists()
            or (
                brand.agency_id
                and AgencyMembership.objects.filter(user=u, agency_id=brand.agency_id).exists()
            )
        )

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        user = context["user"]
        context["site_name"] = _brand(self.request).name if _brand(self.request) else "Tanggap"
        context["minutes"] = settings.PASSWORD_RESET_LINK_SECONDS // 60
        brand = _brand(self.request)
        # Their chosen language, else the one they are reading this page in.
        with reader_context(user=user, brand=brand, language=user.language or translation.get_language()):
            subject = "".join(render_to_string(subject_template_name, context).splitlines())
            body = render_to_string(email_template_name, context)
        message = EmailMessage(
            subject,
            body,
            sender_for(request=self.request, user=user),
            [to_email],
            reply_to=reply_to_addresses(brand=brand),
        )
        # No row records it: the person asks again if it is lost (tenants.mail).
        email_send_on_commit(message)


class _HostPage:
    """The pages carry the brand's name on its host and the platform's on the main host."""

    def get_context_data(self, **kwargs):
        brand = _brand(self.request)
        name = brand.name if brand else "Tanggap"
        return {**super().get_context_data(**kwargs), "site_header": name, "site_title": name}


class ResetRequestView(_HostPage, auth_views.PasswordResetView):
    """Asks for an email and always answers the same "sent if it exists" page, so it reveals no
    accounts. Throttled per client address and per email address (django-ratelimit)."""

    form_class = ResetRequestForm
    template_name = "tenants/password_reset_form.html"
    token_generator = reset_token_generator
    subject_template_name = "tenants/email/password_reset_subject.txt"
    email_template_name = "tenants/email/password_reset.txt"
    success_url = reverse_lazy("account-reset-sent")
    extra_context = {"title": _("Forgotten your password?")}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def post(self, request, *args, **kwargs):
        email = (request.POST.get("email") or "").strip().lower()
        per_ip = is_ratelimited(
            request,
            group="accounts.reset.ip",
            key=lambda _g, r: client_ip(r) or "-",
            rate=settings.PASSWORD_RESET_RATE_PER_IP,
            method="POST",
            increment=True,
        )
        per_email = is_ratelimited(
            request,
            group="accounts.reset.email",
            key=lambda _g, _r: email or "-",
            rate=settings.PASSWORD_RESET_RATE_PER_EMAIL,
            method="POST",
            increment=True,
        )
        if per_ip or per_email:
            form = self.get_form()
            form.is_valid()
            form.add_error(None, _("Too many password reset requests. Try again later."))
            return self.render_to_response(self.get_context_data(form=form), status=429)
        response = super().post(request, *args, **kwargs)
        if response.status_code == 302:
            _record_reset_requested(request, email)
        return response


class ResetConfirmView(_HostPage, auth_views.PasswordResetConfirmView):
    """Sets the new password from a valid link; a used, expired or altered link shows Django's
    "invalid link" page and changes nothing."""

    token_generator = reset_token_generator
    success_url = reverse_lazy("account-reset-complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        _record(self.request, Action.PASSWORD_RESET, actor=form.user, target=form.user)
        return response


def _record_reset_requested(request, email: str) -> None:
    user = User.objects.filter(email__iexact=email).first() if email else None
    _record(request, Action.PASSWORD_RESET_REQUESTED, actor=None, target=user, changes={"email": email})


def _record(request, action: str, *, actor, target, changes=None) -> None:
    brand = _brand(request)
    audit_record(action=action, actor=actor, request=request, brand=brand, target=target, changes=changes)


class PasswordChangeView(auth_views.PasswordChangeView):
    """The admin sites' signed-in password change, with the change on the audit trail."""

    def form_valid(self, form):
        response = super().form_valid(form)
        _record(self.request, Action.PASSWORD_CHANGED, actor=form.user, target=form.user)
        return response


urlpatterns = [
    # The admin login pages link to the URL named admin_password_reset ("Forgotten your password?").
    path("accounts/password-reset/", ResetRequestView.as_view(), name="admin_password_reset"),
    path(
        "accounts/password-reset/sent/",
        type("ResetSentView", (_HostPage, auth_views.PasswordResetDoneView), {}).as_view(),
        name="account-reset-sent",
    ),
    path("accounts/reset/<uidb64>/<token>/", ResetConfirmView.as_view(), name="account-reset-confirm"),
    path(
        "accounts/reset/done/",
        type("ResetCompleteView", (_HostPage, auth_views.PasswordResetCompleteView), {}).as_view(),
        name="account-reset-complete",
    ),
]
