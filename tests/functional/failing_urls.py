"""The project's URLs and one that always fails, for the tests of the error log."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from core.urls import urlpatterns as project_urls


class Boom(RuntimeError):
    pass


@csrf_exempt
def fail(request: HttpRequest) -> HttpResponse:
    raise Boom("the view failed")


urlpatterns = [path("fail/", fail), *project_urls]
