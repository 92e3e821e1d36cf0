"""Early-warning API routes."""

urlpatterns: list = []
