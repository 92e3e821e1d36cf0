"""Brand admin change lists that cost the same on a brand holding a million rows as on an empty one:
no COUNT(*) (the page is read first; a short page is the exact count, a full one takes the
planner's estimate), no facet counts, and sidebar filters from fixed choices, never a
SELECT DISTINCT over the table."""

import json

from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.views.main import PAGE_VAR
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import QuerySet
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext as _


def estimated_count(queryset: QuerySet) -> int:
    """The planner's row estimate for the queryset (EXPLAIN, no execution): from pg_class and the
    column statistics, so it costs the same at any size and may be off by a few percent."""
    sql, params = queryset.order_by().values("pk").query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class EstimatedCountPaginator(Paginator):
    """Reads the requested page (one row more than it shows) before anyone asks for the count:
    when that page is the last one the count is exact, otherwise it is the planner's estimate (at
    least what was seen). The page is then served from the rows already read."""

    def __init__(
        self, object_list, per_page, orphans=0, allow_empty_first_page=True, *, page_number: int = 1
    ):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        self.page_number = max(page_number, 1)
        self._rows: list | None = None
        self.is_estimate = False

    @cached_property
    def count(self) -> int:
        offset = (self.page_number - 1) * self.per_page
        rows = list(self.object_list[offset : offset + self.per_page + 1])
        if len(rows) <= self.per_page and (rows or offset == 0):
            self._rows = rows
            return offset + len(rows)
        self._rows = rows[: self.per_page] or None
        self.is_estimate = True
        return max(estimated_count(self.object_list), offset + len(rows))

    def page(self, number):
        number = self.validate_number(number)
        if self._rows is not None and number == self.page_number:
            return self._get_page(self._rows, number, self)
        return super().page(number)


class BigListAdminMixin:
    """For a ModelAdmin: the estimated-count paginator bound to the requested page, and no facet
    counts (each would be a COUNT over the table per filter choice)."""

    paginator = EstimatedCountPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER

    def action_checkbox(self, obj):
        """Django's row checkbox, the same markup written directly: Django renders it through the
        form widget templates, a template render per row that was a quarter of a 100-row list's
        time."""
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            format_html(_("Select this object for an action - {}"), str(obj)),
        )

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        try:
            page_number = int(request.GET.get(PAGE_VAR, 1))
        except ValueError:
            page_number = 1  # the change list answers a bad page number itself
        return self.paginator(
            queryset,
            per_page,
            orphans,
            allow_empty_first_page=allow_empty_first_page,
            page_number=page_number,
        )


def choices_filter(field: str, title, choices) -> type[admin.SimpleListFilter]:
    """A sidebar filter on `field` offering fixed (value, label) choices: the lookups come from the
    code, not from a SELECT DISTINCT over the table. `choices` may be a callable."""

    class ChoicesFilter(admin.SimpleListFilter):
        parameter_name = field

        def lookups(self, request, model_admin):
            return list(choices() if callable(choices) else choices)

        def queryset(self, request, queryset):
            if self.value() is None:
                return queryset
            return queryset.filter(**{field: self.value()})

    ChoicesFilter.title = title
    ChoicesFilter.__name__ = f"{field.title().replace('_', '')}ChoicesFilter"
    return ChoicesFilter
