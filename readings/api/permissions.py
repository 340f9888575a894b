"""Who may call what: the model permissions the admin uses, reading included."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Model
from rest_framework.permissions import DjangoModelPermissions

if TYPE_CHECKING:  # not at run time: DRF loads this module while it loads its views
    from rest_framework.request import Request
    from rest_framework.views import APIView


class ModelPermissions(DjangoModelPermissions):
    """Reading needs ``view_<model>`` (``readings.view_reading``), uploading a flow file
    ``import_flowfile``; nothing else is offered (another method is a 405, for any signed-in
    user). Inactive users have no permission.

    The model is the view's ``queryset``'s, never ``get_queryset()``'s: that reads the request
    (its filters, the MPAN), which may not be looked at before the permission is checked.
    """

    perms_map = {
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
        "POST": ["%(app_label)s.import_%(model_name)s"],
    }

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not user.is_authenticated:
            return False
        if not hasattr(view, (request.method or "").lower()):
            return True  # a method the view does not offer: it answers 405, whoever asks
        model: type[Model] = getattr(view, "queryset").model  # noqa: B009  # every API view's
        return user.has_perms(self.get_required_permissions(request.method or "GET", model))
