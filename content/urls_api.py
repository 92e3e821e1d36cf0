"""content REST API on a brand host, under /api/v1/."""

from django.urls import path

from content import api

urlpatterns = [
    path("content/items/", api.ItemListApi.as_view(), name="content-item-list"),
    path(
        "content/items/from-testimonial/",
        api.ItemFromTestimonialApi.as_view(),
        name="content-item-from-testimonial",
    ),
    path("content/items/<uuid:item_id>/", api.ItemDetailApi.as_view(), name="content-item-detail"),
    path("content/items/<uuid:item_id>/submit/", api.ItemSubmitApi.as_view(), name="content-item-submit"),
    path("content/items/<uuid:item_id>/approve/", api.ItemApproveApi.as_view(), name="content-item-approve"),
    path("content/items/<uuid:item_id>/reject/", api.ItemRejectApi.as_view(), name="content-item-reject"),
    path("content/items/<uuid:item_id>/media/", api.ItemMediaApi.as_view(), name="content-item-media"),
    path("content/variants/", api.VariantListApi.as_view(), name="content-variant-list"),
    path(
        "content/variants/<uuid:variant_id>/", api.VariantDetailApi.as_view(), name="content-variant-detail"
    ),
    path(
        "content/variants/<uuid:variant_id>/schedule/",
        api.VariantScheduleApi.as_view(),
        name="content-variant-schedule",
    ),
    path(
        "content/variants/<uuid:variant_id>/unschedule/",
        api.VariantUnscheduleApi.as_view(),
        name="content-variant-unschedule",
    ),
    path(
        "content/variants/<uuid:variant_id>/repeat/",
        api.VariantRepeatApi.as_view(),
        name="content-variant-repeat",
    ),
    path(
        "content/variants/<uuid:variant_id>/release/",
        api.VariantReleaseApi.as_view(),
        name="content-variant-release",
    ),
    path(
        "content/variants/<uuid:variant_id>/confirm-published/",
        api.VariantConfirmPublishedApi.as_view(),
        name="content-variant-confirm-published",
    ),
    path(
        "content/variants/<uuid:variant_id>/metrics/",
        api.VariantMetricsApi.as_view(),
        name="content-variant-metrics",
    ),
    path(
        "content/variants/<uuid:variant_id>/performance/",
        api.VariantPerformanceApi.as_view(),
        name="content-variant-performance",
    ),
    path("content/slots/", api.SlotSuggestionApi.as_view(), name="content-slots"),
    path("content/calendar/", api.CalendarApi.as_view(), name="content-calendar"),
    path("content/channels/", api.ChannelListApi.as_view(), name="content-channel-list"),
    path(
        "content/channels/<uuid:channel_id>/", api.ChannelDetailApi.as_view(), name="content-channel-detail"
    ),
]
