"""The read-only JSON API of the open data (``/api/``), built with Django REST framework and drf-spectacular.

One list endpoint (``/api/<slug>/``) and one detail endpoint (``/api/<slug>/<id>/``) per dataset
registered in ``core.opendata`` by the apps; the records are those of the dataset's files (the
same columns, read by the same functions). The lists are paginated (``page``, ``taille``) and
filtered with the FilterSet of the app's public list where there is one (the actions' and the
agenda's filters, with the same parameters and the same rules).

- Public content only: each endpoint reads the dataset's ``queryset()``, built on the app's
  ``published()`` queryset. No authentication, no session: the API has nothing else to show.
- Cached like the pages: the views are public pages (core/cache.py), kept until the content
  changes; a cached answer is served before any throttle or query.
- Throttled: a client address gets ``DJANGO_API_RATE`` uncached answers (120 a minute by
  default), counted in the shared rate-limit store; then a 429 with a French message and
  ``Retry-After``.
- Described: ``/api/openapi.json`` (OpenAPI 3, drf-spectacular), and ``/api/`` the documentation
  page, rendered on the server from that same description (no script, under the CSP).
"""

from django.shortcuts import get_object_or_404
from django.urls import path
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema, extend_schema_view
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework import serializers, viewsets
from rest_framework.pagination import PageNumberPagination

from core.cache import public_page
from core.opendata import datasets

from .throttling import AnonymousRateThrottle, FrenchThrottleMixin

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200

OPENAPI_TYPES = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "format": "date-time"},
    "list": {"type": "array", "items": {"type": "string"}},
}


class ColumnField(serializers.Field):
    """A column of a dataset, read by the dataset's own function (the files and the API agree)."""

    def __init__(self, column, **kwargs):
        self.column = column
        super().__init__(source="*", read_only=True, label=column.title, help_text=column.description, **kwargs)

    def to_representation(self, value):
        return self.column.json_value(value)


class ColumnFieldExtension(OpenApiSerializerFieldExtension):
    """How drf-spectacular describes a column: its Table Schema type in OpenAPI words."""

    target_class = ColumnField

    def map_serializer_field(self, auto_schema, direction):
        column = self.target.column
        schema = {**OPENAPI_TYPES[column.type], "title": column.title, "description": column.description}
        if column.format == "uri":
            schema["format"] = "uri"
        if column.format == "uuid":
            schema["format"] = "uuid"
        if column.enum:
            schema["enum"] = list(column.enum)
        if not column.required and column.type != "list":
            schema["nullable"] = True
        return schema


COMMON_PARAMETERS = {
    "id": "Identifiant de l’élément (colonne « id »).",
}


def describe_parameters(result, generator, request, public):
    """drf-spectacular hook: each query parameter explained in the words of its dataset (``parameters_help``)."""
    for dataset in datasets():
        helps = {**COMMON_PARAMETERS, **dataset.parameters_help}
        for api_path, item in result.get("paths", {}).items():
            if not api_path.startswith(f"/api/{dataset.slug}/"):
                continue
            for operation in item.values():
                for parameter in operation.get("parameters", []):
                    if parameter["name"] in helps:
                        parameter["description"] = helps[parameter["name"]]
    return result


def serializer_for(dataset):
    fields = {column.name: ColumnField(column) for column in dataset.columns}
    fields["Meta"] = type("Meta", (), {"ref_name": dataset.api_name})
    return type(f"{dataset.api_name}Serializer", (serializers.Serializer,), fields)


class Pagination(PageNumberPagination):
    page_size = PAGE_SIZE
    page_size_query_param = "taille"
    page_size_query_description = f"Nombre de résultats par page ({PAGE_SIZE} par défaut, {MAX_PAGE_SIZE} au plus)."
    page_query_description = "Numéro de la page."
    max_page_size = MAX_PAGE_SIZE
    invalid_page_message = "Cette page n’existe pas."


class DatasetViewSet(FrenchThrottleMixin, viewsets.ReadOnlyModelViewSet):
    """Base of the API's views, one subclass per dataset (``viewset_for``)."""

    dataset = None
    pagination_class = Pagination
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        return self.dataset.queryset()

    def get_object(self):
        # The list's filters (the agenda's « upcoming by default ») do not apply to one record.
        obj = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        self.check_object_permissions(self.request, obj)
        return obj

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        # Open data: a script on any site may read the answers (no cookie is ever involved).
        response["Access-Control-Allow-Origin"] = "*"
        return response


def viewset_for(dataset):
    attrs = {
        "dataset": dataset,
        "serializer_class": serializer_for(dataset),
        "filter_backends": [DjangoFilterBackend] if dataset.filterset_class else [],
        "filterset_class": dataset.filterset_class,
    }
    viewset = type(f"{dataset.api_name}ViewSet", (DatasetViewSet,), attrs)
    return extend_schema_view(
        list=extend_schema(
            summary=f"{dataset.title} : la liste, page par page",
            description=f"{dataset.description} {dataset.filters_help}".strip(),
            tags=[dataset.slug],
        ),
        retrieve=extend_schema(
            summary=f"{dataset.title} : un élément",
            description="Un élément par son identifiant (colonne « id »), qu’il soit passé ou à venir.",
            tags=[dataset.slug],
        ),
    )(viewset)


class SchemaView(FrenchThrottleMixin, SpectacularJSONAPIView):
    """``/api/openapi.json``: the OpenAPI description, with the throttle of every API view."""

    throttle_classes = [AnonymousRateThrottle]


def api_urlpatterns():
    """The API's routes, one list and one detail per registered dataset (read at startup)."""
    patterns = [path("openapi.json", public_page(SchemaView.as_view()), name="schema")]
    for dataset in datasets():
        viewset = viewset_for(dataset)
        patterns += [
            path(
                f"{dataset.slug}/",
                public_page(viewset.as_view({"get": "list"}), shows=dataset.shows),
                name=f"{dataset.slug}-list",
            ),
            path(
                f"{dataset.slug}/<int:pk>/",
                public_page(viewset.as_view({"get": "retrieve"}), shows=dataset.shows),
                name=f"{dataset.slug}-detail",
            ),
        ]
    return patterns
