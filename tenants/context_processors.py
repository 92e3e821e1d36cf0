"""What every page's header needs: the brand of this host and the other brands the user may switch
to. Read lazily, so a page that shows no header runs no query."""

from django.utils.functional import SimpleLazyObject

from tenants.selectors import brand_list_for_user


def navigation(request) -> dict:
    tenant = getattr(request, "tenant", None)
    brand = tenant if tenant is not None and getattr(tenant, "schema_name", "public") != "public" else None

    def brands():
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return []
        return list(brand_list_for_user(user=user))

    def other_brands():
        return [b for b in user_brands if brand is None or b.pk != brand.pk]

    user_brands = SimpleLazyObject(brands)
    return {
        "current_brand": brand,
        "brand_role": getattr(request, "brand_role", None),
        "user_brands": user_brands,
        "other_brands": SimpleLazyObject(other_brands),
    }
