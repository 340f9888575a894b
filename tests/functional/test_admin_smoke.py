"""Every registered admin page, with odd input: never a server error."""

from __future__ import annotations

from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from readings.admin.filters import FlowFileFilter
from readings.admin_site import SEARCH_MAX_LENGTH
from readings.models import FlowFile, MeterPoint, Reading, SiteVisit
from tests.functional.admin_helpers import (
    bulk_flow_file,
    changelist,
    first_pk,
    import_files,
    model_label,
)

pytestmark = pytest.mark.django_db

ODD_QUERIES = (
    "%",
    "'",
    '"unclosed',
    "x" * 5000,
    "ünïcødé ☃",
    "<script>alert(1)</script>",
    "12 0002 3305 967",
    "   ",
    "\x00",
    "1" * 40,
)
ODD_PARAMS = (
    {"foo": "bar"},
    {"read_at__gte": "notadate"},
    {"o": "99"},
    {"o": "x.y"},
    {"p": "-1"},
    {"p": "999999"},
    {"read_date": "2016-13"},
    {"read_date": "0000-00-00"},
    {"read_date": "nonsense"},
    {"flow_file__id__exact": "abc"},
    {"flow_file__id__exact": "9" * 40},
    {"meter_point": "x"},
    {"meter__meter_point__id__exact": "1"},
    {"meter__id__exact": "-1"},
    {"all": ""},
    {"e": "1"},
)
MODELS = list(admin.site._registry)


def _url(model: type[Model], view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def data(official_sample: Path, every_group_file: Path, admin_user: object) -> None:
    import_files(official_sample, every_group_file)
    bulk_flow_file(readings=50)
    Group.objects.create(name="support")
    client = {"username": "admin", "ip_address": "192.0.2.1", "user_agent": "<script>"}
    request = {"http_accept": "text/html", "path_info": "/admin/login/"}
    AccessAttempt.objects.create(
        **client, **request, get_data="", post_data="username=admin", failures_since_start=11
    )
    AccessFailureLog.objects.create(**client, **request, locked_out=True)
    AccessLog.objects.create(**client, **request)


@pytest.mark.usefixtures("data")
@pytest.mark.parametrize("model", MODELS, ids=model_label)
class TestEveryAdminPage:
    def test_the_list_with_odd_searches_never_errs(
        self, admin_client: Client, model: type[Model]
    ) -> None:
        for query in ODD_QUERIES:
            response = admin_client.get(_url(model, "changelist"), {"q": query})

            assert response.status_code in (200, 302), query

    def test_the_list_with_unknown_or_bad_filters_never_errs(
        self, admin_client: Client, model: type[Model]
    ) -> None:
        for params in ODD_PARAMS:
            response = admin_client.get(_url(model, "changelist"), params)

            assert response.status_code in (200, 302, 400), params

    def test_an_object_page_shows(self, admin_client: Client, model: type[Model]) -> None:
        pk = first_pk(model)

        response = admin_client.get(_url(model, "change", pk))

        assert response.status_code == 200

    def test_a_missing_or_malformed_id_redirects(
        self, admin_client: Client, model: type[Model]
    ) -> None:
        for object_id in ("999999999", "abc", "9" * 40, "-1"):
            response = admin_client.get(_url(model, "change", object_id))

            assert response.status_code == 302, object_id

    def test_the_history_page_shows(self, admin_client: Client, model: type[Model]) -> None:
        pk = first_pk(model)

        response = admin_client.get(_url(model, "history", pk))

        assert response.status_code == 200


# Longer than SQLite's longest LIKE pattern (50,000 bytes); 20,000 words, each compared with
# each column searched.
TOO_LONG_SEARCHES = {"one word": "x" * 60_000, "many words": "ab " * 20_000}


@pytest.mark.usefixtures("data")
@pytest.mark.parametrize("model", MODELS, ids=model_label)
class TestSearchesLongerThanAnyValue:
    @pytest.mark.parametrize("query", TOO_LONG_SEARCHES.values(), ids=TOO_LONG_SEARCHES.keys())
    def test_get_a_message_and_the_list_unsearched(
        self, admin_client: Client, model: type[Model], query: str
    ) -> None:
        response = admin_client.get(_url(model, "changelist"), {"q": query})

        assert response.status_code == 200
        assert changelist(response).query == ""
        assert changelist(response).result_count == model._default_manager.count()
        assert b"The search was not run" in response.content
        assert f"{len(query.strip()):,} characters".encode() in response.content

    def test_the_longest_search_allowed_is_run(
        self, admin_client: Client, model: type[Model]
    ) -> None:
        query = " " + "a " * (SEARCH_MAX_LENGTH // 2)  # as many words as the length allows

        response = admin_client.get(_url(model, "changelist"), {"q": query})

        assert response.status_code == 200
        assert changelist(response).query == query
        assert b"The search was not run" not in response.content


@pytest.mark.usefixtures("data")
class TestATooLongSearch:
    def test_keeps_the_lists_other_parameters(self, admin_client: Client) -> None:
        flow_file = FlowFile.objects.order_by("pk").first()
        assert flow_file is not None

        response = admin_client.get(
            _url(Reading, "changelist"),
            {"q": "x" * (SEARCH_MAX_LENGTH + 1), FlowFileFilter.parameter_name: str(flow_file.pk)},
        )

        assert response.status_code == 200
        assert changelist(response).result_count == flow_file.reading_count
        assert b"The search was not run" in response.content

    def test_of_spaces_around_a_real_value_is_run(self, admin_client: Client) -> None:
        query = " " * SEARCH_MAX_LENGTH + "12 0002 3305 967" + " " * SEARCH_MAX_LENGTH

        response = admin_client.get(_url(MeterPoint, "changelist"), {"q": query})

        assert b"The search was not run" not in response.content
        assert changelist(response).query == query

    def test_on_the_export_page_never_errs(self, admin_client: Client) -> None:
        for query in TOO_LONG_SEARCHES.values():
            response = admin_client.get(reverse("admin:readings_reading_export"), {"q": query})

            assert response.status_code == 200


@pytest.mark.usefixtures("data")
class TestOtherPages:
    def test_the_index_says_what_the_site_is_for(self, admin_client: Client) -> None:
        response = admin_client.get(reverse("admin:index"))

        assert response.status_code == 200
        assert b"Find meter readings" in response.content
        assert b"D0010 meter readings" in response.content

    def test_the_export_page_with_odd_input_never_errs(self, admin_client: Client) -> None:
        for params in ({"q": "%"}, {"foo": "bar"}, {"read_date": "x"}, {"q": "<script>"}):
            response = admin_client.get(reverse("admin:readings_reading_export"), params)

            assert response.status_code in (200, 302), params

    def test_the_upload_page_shows(self, admin_client: Client) -> None:
        response = admin_client.get(reverse("admin:readings_flowfile_upload"))

        assert response.status_code == 200

    def test_the_delete_page_of_a_missing_file_redirects(self, admin_client: Client) -> None:
        for object_id in ("999999999", "abc"):
            response = admin_client.get(reverse("admin:readings_flowfile_delete", args=[object_id]))

            assert response.status_code == 302

    def test_a_site_visit_page_shows(self, admin_client: Client) -> None:
        visit = SiteVisit.objects.order_by("pk").first()
        assert visit is not None

        response = admin_client.get(_url(SiteVisit, "change", visit.pk))

        assert response.status_code == 200
