"""The support-staff admin: every model staff need, imported data read-only."""

from django.contrib import admin
from rest_framework.authtoken.models import TokenProxy

from . import attempts, flow_files, meters, readings, worklist

# The REST API's tokens are credentials: made and rotated by `manage.py api_token`, never shown
# on a page (DRF's own admin for them lists every key).
if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)

__all__ = ["attempts", "flow_files", "meters", "readings", "worklist"]
