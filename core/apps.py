from django.contrib.admin.apps import AdminConfig


class FlowAdminConfig(AdminConfig):
    """Makes the project's ``FlowAdminSite`` the site behind ``django.contrib.admin.site``."""

    default_site = "readings.admin_site.FlowAdminSite"
