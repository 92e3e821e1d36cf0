"""content pages on a brand host."""

urlpatterns: list = []
