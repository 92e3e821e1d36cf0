"""surveys REST API on a brand host, under /api/v1/."""

urlpatterns: list = []
