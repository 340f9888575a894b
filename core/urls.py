from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

# A missing permission gets the admin-styled page that says which one (core.views).
handler403 = "core.views.permission_denied"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/", include("readings.api.urls")),  # the REST API, its schema and docs
]
