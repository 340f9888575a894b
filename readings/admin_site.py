"""The project's admin site: what support staff see at /admin/."""

from __future__ import annotations

from django.contrib import admin


class FlowAdminSite(admin.AdminSite):
    site_header = "D0010 meter readings"
    site_title = "D0010 meter readings"
    index_title = "Find meter readings by MPAN or meter serial, and the files they came in"
