"""How every app's admin shows a service's refusal: a `DomainError` (or a role the service refuses,
`PermissionDenied`) becomes the form's errors or an error message, never a 500, and nothing the
refused call began is kept (each service is one transaction).

- `ServiceForm` + `ServiceFormAdminMixin`: a model admin whose form saves through a service.
- `form_add_service_error`: the errors of a refused call on any form (custom admin views).
- `admin_service_call`: run a service for an action or a custom view; a refusal becomes a message.
- `service_refusal_message`: the error message itself, for views that redirect after a refusal."""

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tenants.errors import DomainError

ServiceRefusal = (DomainError, PermissionDenied)


def service_refusal_message(modeladmin, request, exc: DomainError | PermissionDenied) -> None:
    """Show a refused call as the admin's error message."""
    if isinstance(exc, DomainError):
        text = exc.message
    else:
        text = str(exc) or _("Your role may not do this.")
    modeladmin.message_user(request, text, messages.ERROR)


def admin_service_call(
    modeladmin, request, call: Callable[[], object], *, success: str | None = None, rollback: bool = False
) -> bool:
    """Run `call()` (one service call) and say whether it went through. A refusal becomes an error
    message; `success`, when given, is the message when it went through. `rollback` also marks the
    enclosing transaction (the admin's change view) for rollback, for a view that calls several
    services in one atomic request and must keep none of them when one is refused."""
    try:
        call()
    except ServiceRefusal as exc:
        service_refusal_message(modeladmin, request, exc)
        if rollback and transaction.get_connection().in_atomic_block:
            transaction.set_rollback(True)
        return False
    if success:
        modeladmin.message_user(request, success, messages.SUCCESS)
    return True


def form_add_service_error(
    form: forms.BaseForm,
    exc: DomainError | PermissionDenied,
    *,
    field_names: dict[str, str] | None = None,
    show_message: bool = True,
) -> None:
    """Put a refused call's errors on `form`. Each field error goes on its field (`field_names`
    maps the service's argument names to the form's), unless the field's own check already said
    what is wrong; errors for fields the form does not show become non-field errors naming the
    field. The message is a non-field error unless a field error already says it, or the caller
    leaves it out (`show_message=False`, for a message that only points at the fields)."""
    if isinstance(exc, PermissionDenied):
        form.add_error(None, str(exc) or _("Your role may not do this."))
        return
    said = []
    for field, errors in exc.field_errors.items():
        target = (field_names or {}).get(field, field)
        said.extend(str(error) for error in errors)
        if target in form.fields:
            if target not in form.errors:
                form.add_error(target, errors)
        else:
            form.add_error(None, [f"{field}: {error}" for error in errors])
    if (show_message or not exc.field_errors) and str(exc.message) not in said:
        form.add_error(None, exc.message)


class ServiceForm(forms.ModelForm):
    """A model form whose save is a service call, made in its `clean` (so a refusal lands on the
    form's fields); `service` is set by `ServiceFormAdminMixin`."""

    service = None

    def _post_clean(self):
        pass  # the service validated and saved; the form never writes the instance itself

    def service_data(self, cleaned: dict) -> dict:
        """What the service is given: the cleaned data, unless the form reshapes it."""
        return cleaned

    def clean(self):
        cleaned = super().clean()
        if self.service is not None and not self.errors:
            try:
                self.saved = self.service(self.service_data(cleaned))
            except ServiceRefusal as exc:
                form_add_service_error(self, exc)
        return cleaned


class ServiceFormAdminMixin:
    """A model admin whose form saves through a service: `save_through` makes the call (inside the
    form's clean, so a DomainError lands on its field) and the admin adopts the saved row."""

    def save_through(self, request, obj, data):
        raise NotImplementedError

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if hasattr(form, "service"):  # the change view of a read-only admin has a plain form
            form.service = staticmethod(lambda data: self.save_through(request, obj, data))
        return form

    def save_model(self, request, obj, form, change):
        # The admin's instance becomes the row the service saved (for the change message and redirect).
        obj.__dict__.update(form.saved.__dict__)
        obj._state.adding = False
