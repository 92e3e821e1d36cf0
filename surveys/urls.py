"""surveys pages on a brand host."""

urlpatterns: list = []
