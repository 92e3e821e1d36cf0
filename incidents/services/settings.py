"""The brand's crisis settings: one row per brand, created on first use."""

from incidents.models import CrisisSettings


def crisis_settings_get(*, for_update: bool = False) -> CrisisSettings:
    """The brand's crisis settings row, created on first use. With `for_update` it is locked,
    which is how incident numbers are allocated one at a time."""
    # ON CONFLICT DO NOTHING: two first uses at once both end with the same single row.
    CrisisSettings.objects.bulk_create([CrisisSettings(id=1)], ignore_conflicts=True)
    queryset = CrisisSettings.objects.select_for_update() if for_update else CrisisSettings.objects
    return queryset.get(pk=1)
