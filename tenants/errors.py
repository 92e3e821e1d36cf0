"""The one error type for problems a user can fix; views turn it into a 400 with its message."""


class DomainError(Exception):
    """A request the platform refuses, with a message (and optional field errors) for the user."""

    def __init__(self, message: str, *, field_errors: dict[str, list[str]] | None = None):
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}
