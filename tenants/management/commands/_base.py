"""Commands turn the services' DomainError into a clear CommandError (exit 1, one line)."""

from django.core.management.base import BaseCommand, CommandError

from tenants.errors import DomainError


class ServiceCommand(BaseCommand):
    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
