"""The API's paths, under ``/api/``: version 1's endpoints, the schema and its docs page."""

from __future__ import annotations

from csp.decorators import csp_update
from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views
from .errors import not_found

app_name = "api"

urlpatterns = [
    path("v1/flow-files/", views.FlowFiles.as_view(), name="flow-file-list"),
    path("v1/flow-files/<int:pk>/", views.FlowFileDetail.as_view(), name="flow-file-detail"),
    path("v1/import-attempts/", views.ImportAttempts.as_view(), name="import-attempt-list"),
    path(
        "v1/import-attempts/<int:pk>/",
        views.ImportAttemptDetail.as_view(),
        name="import-attempt-detail",
    ),
    path("v1/meter-points/<str:mpan>/", views.MeterPointDetail.as_view(), name="meter-point"),
    path(
        "v1/meter-points/<str:mpan>/readings/",
        views.MeterPointReadings.as_view(),
        name="meter-point-readings",
    ),
    path("v1/meters/<str:serial>/readings/", views.MeterReadings.as_view(), name="meter-readings"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # Swagger UI's own stylesheet draws its icons as data: SVG images; this page alone allows
    # them (images only: no script or style comes from data: anywhere).
    path(
        "docs/",
        csp_update({"img-src": ["data:"]})(
            SpectacularSwaggerSplitView.as_view(
                url_name="api:schema", template_name="api/swagger_ui.html"
            )
        ),
        name="docs",
    ),
    re_path(r"^(?P<path>.*)$", not_found),
]
