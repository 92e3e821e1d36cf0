"""Crisis-work API routes."""

urlpatterns: list = []
