"""The API's views: each parses its input, makes one service or query call, and translates."""

from __future__ import annotations

from datetime import date, datetime
from typing import IO, BinaryIO, TypeVar, cast

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Model, Q, QuerySet
from django.template.defaultfilters import filesizeformat
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, ParseError
from rest_framework.pagination import CursorPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from readings.dtc.identifiers import is_mpan_shaped, mpan_core_problem, mpan_search_key
from readings.localtime import end_of_day, midnight
from readings.models import AttemptSource, FlowFile, ImportAttempt, MeterPoint, Reading
from readings.queries import meter_point_summary, readings_at_mpan, readings_of_serial
from readings.services.importing import ImportNotDone, import_flow_file, record_too_large
from readings.wording import printable, uploaded_name

from . import serializers as s

M = TypeVar("M", bound=Model)
Row = TypeVar("Row")

ERRORS_SHOWN = 3  # in the one-sentence ``detail``; ``errors`` lists them all


class NewestFirst(CursorPagination):
    """Pages of 100 (``page_size`` up to 1000), newest first, ties in id order: a cursor names
    a place in that order, so rows added meanwhile never repeat or skip one."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = ("-read_at", "-id")

    def paginate_queryset(
        self, queryset: QuerySet[M, Row], request: Request, view: APIView | None = None
    ) -> list[Row] | None:
        # A cursor is only base64 of ``o=…&p=…``: one forged with a position its field cannot
        # hold is refused as any other bad cursor, not a 500.
        try:
            return super().paginate_queryset(queryset, request, view)
        except (DjangoValidationError, ValueError, OverflowError):
            raise NotFound(self.invalid_cursor_message) from None


class NewestImportedFirst(NewestFirst):
    ordering = ("-imported_at", "-id")


class NewestStartedFirst(NewestFirst):
    ordering = ("-started_at", "-id")


class FlowFiles(generics.ListAPIView[FlowFile]):
    """``GET``: the imported flow files, newest first. ``POST``: import one file."""

    queryset = FlowFile.objects.all()
    serializer_class = s.FlowFileSerializer
    pagination_class = NewestImportedFirst

    @extend_schema(parameters=[s.FlowFileFilterSerializer])
    def get(self, request: Request) -> Response:
        return self.list(request)

    def get_queryset(self) -> QuerySet[FlowFile]:
        found = _query(self.request, s.FlowFileFilterSerializer)
        files = FlowFile.objects.all()
        sender, created, imported = (
            found.get(k) for k in ("sender", "created_since", "imported_since")
        )
        if isinstance(sender, str):
            files = files.filter(sender_participant_id=sender.upper())
        if isinstance(created, datetime):
            files = files.filter(file_created_at__gte=created)
        if isinstance(imported, datetime):
            files = files.filter(imported_at__gte=imported)
        return files

    @extend_schema(
        request={"multipart/form-data": s.UploadSerializer},
        responses={
            201: s.UploadedSerializer,
            409: s.NotImportedSerializer,
            413: s.TooLargeSerializer,
            422: s.NotImportedSerializer,
        },
    )
    def post(self, request: Request) -> Response:
        form = s.UploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        upload = cast(UploadedFile, form.validated_data["file"])
        name = uploaded_name(upload.name)
        limit: int = settings.D0010_UPLOAD_MAX_BYTES
        if (upload.size or 0) > limit:
            detail = (
                f"{printable(name)} is {filesizeformat(upload.size or 0)}, larger than the "
                f"{filesizeformat(limit)} an upload may be: not imported."
            )
            attempt_id = record_too_large(
                name,
                size=upload.size or 0,
                summary=detail,
                via=AttemptSource.API,
                user=cast(User, request.user),  # signed in: the permission says so
            )
            return Response(
                {"detail": detail, "attempt_id": attempt_id},
                status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE,
            )
        try:
            result = import_flow_file(
                cast(BinaryIO, cast(IO[bytes], upload.file)),  # a seekable binary file
                file_name=name,
                allow_test_data=bool(form.validated_data["allow_test_data"]),
                via=AttemptSource.API,
                user=cast(User, request.user),  # signed in: the permission says so
            )
        except ImportNotDone as error:
            return _not_imported(error)
        flow_file = FlowFile.objects.get(pk=result.flow_file_id or 0)
        body = s.UploadedSerializer(flow_file, context={"attempt_id": result.attempt_id}).data
        return Response(body, status=status.HTTP_201_CREATED)


def _not_imported(error: ImportNotDone) -> Response:
    """409 when a stored flow file stands in the way (``existing``), 422 otherwise."""
    existing = error.existing
    body = {
        "detail": error.summary(shown=ERRORS_SHOWN),
        "name": error.file_name,
        "errors": [issue.as_data() for issue in error.attempt_issues()],
        "existing": None if existing is None else s.FlowFileNamedSerializer(existing).data,
        "attempt_id": error.attempt_id,
    }
    conflict = existing is not None
    return Response(
        body,
        status=status.HTTP_409_CONFLICT if conflict else status.HTTP_422_UNPROCESSABLE_ENTITY,
    )


class FlowFileDetail(generics.RetrieveAPIView[FlowFile]):
    """One flow file."""

    queryset = FlowFile.objects.all()
    serializer_class = s.FlowFileSerializer


class ImportAttempts(generics.ListAPIView[ImportAttempt]):
    """Every try at importing a file, by any interface, newest first: its outcome and issues."""

    queryset = ImportAttempt.objects.select_related("user", "flow_file")
    serializer_class = s.ImportAttemptSerializer
    pagination_class = NewestStartedFirst

    @extend_schema(parameters=[s.ImportAttemptFilterSerializer])
    def get(self, request: Request) -> Response:
        return self.list(request)

    def get_queryset(self) -> QuerySet[ImportAttempt]:
        found = _query(self.request, s.ImportAttemptFilterSerializer)
        attempts = super().get_queryset()
        outcome, source, text = (found.get(k) for k in ("outcome", "source", "q"))
        if isinstance(outcome, str):
            attempts = attempts.filter(outcome=outcome)
        if isinstance(source, str):
            attempts = attempts.filter(source=source)
        if isinstance(text, str) and text.strip():
            text = text.strip()
            attempts = attempts.filter(Q(file_name__icontains=text) | Q(sha256=text.lower()))
        return attempts


class ImportAttemptDetail(generics.RetrieveAPIView[ImportAttempt]):
    """One import attempt."""

    queryset = ImportAttempt.objects.select_related("user", "flow_file")
    serializer_class = s.ImportAttemptSerializer


class MeterPointDetail(APIView):
    """A meter point's summary: its meters, the current one, each register's latest counting
    reading, the last actual read, open anomalies and the last site visit."""

    queryset = MeterPoint.objects.none()  # for the permission: readings.view_meterpoint

    @extend_schema(responses={200: s.MeterPointSummarySerializer, 400: s.DetailSerializer})
    def get(self, request: Request, mpan: str) -> Response:
        summary = meter_point_summary(mpan_core(mpan))
        if summary is None:
            raise NotFound(f"No meter point has the MPAN {mpan_core(mpan)}.")
        return Response(s.MeterPointSummarySerializer(summary).data)


class Readings(generics.ListAPIView[Reading]):
    """Readings newest first, filtered by register, UK days and status (every status unless
    one is asked for)."""

    queryset = Reading.objects.none()  # for the permission: readings.view_reading
    serializer_class = s.ReadingSerializer
    pagination_class = NewestFirst

    @extend_schema(parameters=[s.ReadingFilterSerializer])
    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        return self.list(request)

    def found(self) -> QuerySet[Reading]:
        raise NotImplementedError

    def get_queryset(self) -> QuerySet[Reading]:
        found = _query(self.request, s.ReadingFilterSerializer)
        readings = self.found()
        register, first, last, state = (found.get(k) for k in ("register", "from", "to", "status"))
        if isinstance(register, str):
            readings = readings.filter(register_id=register)
        if isinstance(first, date):
            readings = readings.filter(read_at__gte=midnight(first))
        end = end_of_day(last) if isinstance(last, date) else None
        if end is not None:
            readings = readings.filter(read_at__lt=end)
        if isinstance(state, str):
            readings = readings.filter(status=state)
        return readings


class MeterPointReadings(Readings):
    """Every reading at a meter point (MPAN core, spaces allowed)."""

    def found(self) -> QuerySet[Reading]:
        mpan = mpan_core(str(self.kwargs["mpan"]))
        readings = readings_at_mpan(mpan)
        if readings is None:
            raise NotFound(f"No meter point has the MPAN {mpan}.")
        return readings


class MeterReadings(Readings):
    """Every reading of the meters with a serial (as staff paste it: spaces and case ignored)."""

    def found(self) -> QuerySet[Reading]:
        serial = str(self.kwargs["serial"])
        readings = readings_of_serial(serial)
        if readings is None:
            raise NotFound(f"No meter has the serial '{printable(serial[:40])}'.")
        return readings


def mpan_core(text: str) -> str:
    """The 13-digit MPAN core in ``text`` (spaces allowed); 400 saying what is wrong if none."""
    core = mpan_search_key(text)
    problem = mpan_core_problem(core)
    if problem is not None:
        shown = core if is_mpan_shaped(core) else f"'{printable(text[:40])}'"
        raise ParseError(f"{shown} is not an MPAN core: {problem}.")
    return core


def _query(
    request: Request, serializer: type[serializers.Serializer[dict[str, object]]]
) -> dict[str, object]:
    """The query string's filters, read by ``serializer``; 400 naming each one that is wrong."""
    form = serializer(data=request.query_params)
    form.is_valid(raise_exception=True)
    return dict(form.validated_data)
