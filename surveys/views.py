"""The public survey pages on a brand's host, reached by a personal link without logging in.
Every outcome is a page. A link that cannot be used (unknown, expired, answered, survey closed)
gets one and the same 404 page, so the answer tells nobody whether a token exists; every request,
GET or POST, is rate limited per link and per client address (429)."""

import re
from uuid import UUID

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import trans_real
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_http_methods
from django_ratelimit import ALL
from django_ratelimit.core import is_ratelimited

from surveys.forms import AnswerForm, answers_from_post
from surveys.models import Invitation, Survey
from surveys.selectors import invitation_get_by_token, survey_questions_get
from surveys.services import (
    InvitationUnavailable,
    invitation_opt_out,
    response_submit,
    response_submit_by_token,
)
from surveys.tokens import token_hash, token_looks_valid
from tenants.errors import DomainError
from tenants.languages import LANGUAGE_CODES

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
_DEFAULT_COLOUR = "#0f766e"


def _rate(name: str, default: str | None) -> str | None:
    return getattr(settings, name, default)


def brand_chrome() -> dict:
    """The brand's name and a safe colour (only #rrggbb reaches the stylesheet), with a text colour
    that stays readable on it."""
    brand = connection.tenant
    colour = getattr(brand, "colour", "") or ""
    colour = colour if _COLOUR.match(colour) else _DEFAULT_COLOUR
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return {
        "brand_name": getattr(brand, "name", ""),
        "brand_colour": colour,
        "brand_text": "#111827" if luminance > 150 else "#ffffff",
    }


def choose_language(request: HttpRequest, invitation: Invitation | None) -> str:
    """?lang= (the respondent's own switch), then the invitation's language, then the browser's
    Accept-Language, then the brand's default."""
    asked = request.GET.get("lang", "")
    if asked in LANGUAGE_CODES:
        return asked
    if invitation is not None and invitation.language in LANGUAGE_CODES:
        return invitation.language
    for code, _q in trans_real.parse_accept_lang_header(request.headers.get("Accept-Language", "")):
        if code == "*":
            continue
        if code.split("-")[0].lower() in LANGUAGE_CODES:
            return code.split("-")[0].lower()
    default = getattr(connection.tenant, "default_language", "")
    return default if default in LANGUAGE_CODES else settings.LANGUAGE_CODE


def _page(request, template: str, context: dict, *, status: int = 200, language: str) -> HttpResponse:
    response = render(request, template, {**brand_chrome(), "language": language, **context}, status=status)
    response["Content-Language"] = language
    response["Cache-Control"] = "no-store"
    # The URL holds the personal token: never send it to another site. Not "no-referrer": browsers
    # would then send `Origin: null` with the form, which the CSRF check rightly refuses.
    response["Referrer-Policy"] = "same-origin"
    return response


def _unavailable(request, reason: str, language: str) -> HttpResponse:
    # `reason` is deliberately not shown: the same status and words for every case.
    return _page(request, "surveys/public/unavailable.html", {}, status=404, language=language)


def _state(invitation: Invitation) -> str | None:
    if invitation.answered_at is not None:
        return "answered"
    if invitation.expires_at <= timezone.now():
        return "expired"
    if invitation.survey.status != Survey.Status.OPEN:
        return "closed"
    return None


def _rate_limited(request: HttpRequest, raw_token: str) -> bool:
    """Per token and per client address, reads (GET/HEAD) and submissions (POST) counted apart;
    counted in the default cache, whose keys carry the brand."""
    token_key = token_hash(raw_token)
    kind = "submit" if request.method == "POST" else "view"
    per_token = is_ratelimited(
        request,
        group=f"surveys.{kind}.token",
        key=lambda _g, _r: token_key,
        rate=_rate(f"SURVEYS_{kind.upper()}_RATE_PER_TOKEN", "10/m" if kind == "submit" else "30/m"),
        method=ALL,
        increment=True,
    )
    per_ip = is_ratelimited(
        request,
        group=f"surveys.{kind}.ip",
        key="ip",
        rate=_rate(f"SURVEYS_{kind.upper()}_RATE_PER_IP", "120/m" if kind == "submit" else "300/m"),
        method=ALL,
        increment=True,
    )
    return per_token or per_ip


def _too_many(request: HttpRequest) -> HttpResponse:
    with translation.override(choose_language(request, None)):
        return _page(
            request, "surveys/public/rate_limited.html", {}, status=429, language=translation.get_language()
        )


def _submit_fast(request: HttpRequest, token: str) -> HttpResponse | None:
    """A complete, valid submission of the survey version the page was rendered with (its hidden
    fields): validate against the cached questions and claim-and-store in one statement, without
    loading the invitation. None sends the request down the full path (it shows every other case)."""
    try:
        survey_id, version = UUID(request.POST.get("s", "")), int(request.POST.get("v", ""))
    except ValueError:
        return None
    language = request.POST.get("l", "")
    questions = survey_questions_get(survey_id=survey_id, version=version)
    if not questions or language not in LANGUAGE_CODES or not token_looks_valid(token):
        return None
    answers = answers_from_post(questions, request.POST)
    if answers is None:
        return None
    try:
        response = response_submit_by_token(
            raw_token=token,
            answers=answers,
            language=language,
            survey_id=survey_id,
            questions_version=version,
        )
    except DomainError:
        return None  # a missing or out-of-range answer: the full path explains it on its field
    return redirect("surveys:thanks", token=token) if response else None


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST", "HEAD"])
def survey_answer(request: HttpRequest, token: str) -> HttpResponse:
    if _rate_limited(request, token):
        return _too_many(request)
    if request.method == "POST":
        fast = _submit_fast(request, token)
        if fast is not None:
            return fast
    invitation = invitation_get_by_token(raw_token=token)
    language = choose_language(request, invitation)
    with translation.override(language):
        if invitation is None:
            return _unavailable(request, "unknown", language)
        state = _state(invitation)
        if state:
            return _unavailable(request, state, language)
        survey = invitation.survey
        questions = survey_questions_get(survey_id=survey.pk, version=survey.questions_version)
        form = AnswerForm(questions, data=request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                response_submit(
                    invitation_id=invitation.pk,
                    answers=form.answers(),
                    language=language,
                    survey_id=survey.pk,
                    questions_version=survey.questions_version,
                )
            except InvitationUnavailable as exc:
                return _unavailable(request, exc.reason, language)
            except DomainError as exc:
                form.add_error(None, exc.message)  # the form missed it; say so rather than fail
            else:
                return redirect("surveys:thanks", token=token)
        context = {
            "survey": survey,
            "invitation": invitation,
            "form": form,
            "token": token,
            "other_language": "id" if language == "en" else "en",
        }
        return _page(
            request,
            "surveys/public/answer.html",
            context,
            status=400 if form.is_bound else 200,
            language=language,
        )


@never_cache
@require_http_methods(["GET", "HEAD"])
def survey_thanks(request: HttpRequest, token: str) -> HttpResponse:
    if _rate_limited(request, token):
        return _too_many(request)
    invitation = invitation_get_by_token(raw_token=token)
    language = choose_language(request, invitation)
    with translation.override(language):
        if invitation is None:
            return _unavailable(request, "unknown", language)
        if invitation.answered_at is None:
            return redirect("surveys:answer", token=token)
        return _page(request, "surveys/public/thanks.html", {"survey": invitation.survey}, language=language)


@never_cache
@csrf_protect
@require_http_methods(["GET", "POST", "HEAD"])
def survey_opt_out(request: HttpRequest, token: str) -> HttpResponse:
    """A confirmation page (GET) and the opt-out itself (POST), so a mail scanner following the
    link does not opt the recipient out."""
    if _rate_limited(request, token):
        return _too_many(request)
    invitation = invitation_get_by_token(raw_token=token)
    language = choose_language(request, invitation)
    with translation.override(language):
        if invitation is None:
            return _unavailable(request, "unknown", language)
        if request.method == "POST":
            invitation = invitation_opt_out(invitation_id=invitation.pk)
        return _page(
            request,
            "surveys/public/opt_out.html",
            {"invitation": invitation, "token": token},
            language=language,
        )
