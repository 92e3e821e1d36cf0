"""What the incidents admin modules share: the base of the staff-only crisis workspace pages."""

from tenants.admin_sites import BrandModelAdmin


class StaffOnlyAdmin(BrandModelAdmin):
    """Crisis workspace pages are for agency staff; client people use the report pages."""

    view_permission = "workspace.read"

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # history is kept: versions, logs and incidents are never deleted
