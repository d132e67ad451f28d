"""``/donnees/``: the open data page and its files; ``/api/``: the API's documentation page.

The datasets are those the apps register (core/opendata.py); this module serves each of them
the same way, naming none. Every view is a public page (core/cache.py): computed once per content
generation, shared by every worker and instance, so a file is rebuilt after each content change
and at each scheduled publication.
"""

import json

from django.conf import settings
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.http import http_date

from core.cache import public_page
from core.opendata import (
    LICENCE,
    datasets,
    file_urls,
    get_dataset,
    resource_descriptor,
    row_count,
    schema_descriptor,
    to_csv,
    to_json_text,
    updated_at,
)
from events.openagenda import openagenda_events

from .api import MAX_PAGE_SIZE, PAGE_SIZE

JSON_TYPE = "application/json; charset=utf-8"
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "json": JSON_TYPE, "schema.json": JSON_TYPE}
TYPE_LABELS = {
    "string": "texte",
    "integer": "nombre entier",
    "number": "nombre décimal",
    "boolean": "vrai ou faux",
    "date": "date",
    "datetime": "date et heure",
    "list": "liste",
}


def _file_response(content, content_type, filename, updated_at=None):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    # Open data: any site may read these files from a browser script.
    response["Access-Control-Allow-Origin"] = "*"
    if updated_at is not None:
        response["Last-Modified"] = http_date(updated_at.timestamp())
    return response


def _every_dataset_shows(kwargs):
    """The sections of every dataset together (core/cache.py): what the pages listing them all show."""
    shows = set()
    for dataset in datasets():
        if dataset.shows is None:
            return None
        shows.update(dataset.shows)
    return tuple(sorted(shows))


@public_page(shows=_every_dataset_shows)
def data_page(request):
    """The page listing every dataset, its files, its columns and its last update (no record is built)."""
    entries = [
        {
            "dataset": dataset,
            "count": row_count(dataset),
            "updated_at": updated_at(dataset),
            "urls": file_urls(dataset),
            "api_url": reverse(f"api:{dataset.slug}-list"),
            "columns": [(column, TYPE_LABELS[column.type]) for column in dataset.columns],
        }
        for dataset in datasets()
    ]
    context = {
        "entries": entries,
        "licence": LICENCE,
        "breadcrumbs": [("Données ouvertes", None)],
    }
    return render(request, "pages/donnees.html", context)


def _dataset_shows(kwargs):
    """The sections of a dataset's files (core/cache.py); every section for an unknown one (a 404)."""
    dataset = get_dataset(kwargs.get("slug"))
    return dataset.shows if dataset is not None else None


@public_page(shows=_dataset_shows)
def data_file(request, slug, fmt):
    """``/donnees/<slug>.csv``, ``.json`` or ``.schema.json``."""
    dataset = get_dataset(slug)
    if dataset is None:
        raise Http404("Jeu de données inconnu")
    updated = updated_at(dataset)
    if fmt == "csv":
        # With a byte order mark: spreadsheets then read the accents right; CSV readers skip it.
        content = "\ufeff" + to_csv(dataset, dataset.records())
    elif fmt == "json":
        content = to_json_text(dataset.records())
    else:  # the schema and its number of rows, counted by the database: no record is built
        content = json.dumps(schema_descriptor(dataset, updated, row_count(dataset)), ensure_ascii=False, indent=1)
    return _file_response(content, CONTENT_TYPES[fmt], f"{slug}.{fmt}", updated)


@public_page(shows=_every_dataset_shows)
def data_package(request):
    """``/donnees/datapackage.json``: every dataset as a frictionless data package (no record is built)."""
    dates = {dataset.slug: updated_at(dataset) for dataset in datasets()}
    package = {
        "name": "cls-creteil",
        "title": "Contrat local de santé de Créteil : données ouvertes",
        "homepage": settings.SITE_URL + reverse("opendata:page"),
        "licenses": [LICENCE],
        "resources": [resource_descriptor(dataset, dates[dataset.slug]) for dataset in datasets()],
    }
    return _file_response(
        json.dumps(package, ensure_ascii=False, indent=1),
        JSON_TYPE,
        "datapackage.json",
        max(dates.values(), default=None),
    )


@public_page(shows=("events", "actions"))
def openagenda_file(request):
    """``/donnees/evenements-openagenda.json``: the upcoming events in OpenAgenda's shape (events/openagenda.py)."""
    content = json.dumps(openagenda_events(), ensure_ascii=False, indent=1)
    return _file_response(content, JSON_TYPE, "evenements-openagenda.json")


urlpatterns = [
    path("", data_page, name="page"),
    path("datapackage.json", data_package, name="package"),
    path("evenements-openagenda.json", openagenda_file, name="openagenda"),
    path("<slug:slug>.schema.json", data_file, {"fmt": "schema.json"}, name="file"),
    path("<slug:slug>.json", data_file, {"fmt": "json"}, name="file"),
    path("<slug:slug>.csv", data_file, {"fmt": "csv"}, name="file"),
]


# The API's documentation page ---------------------------------------------------------------


def _schema_type(schema):
    if "$ref" in schema:
        return "objet"
    kind = schema.get("type", "")
    if kind == "array":
        return "liste"
    if schema.get("format") == "date":
        return "date (AAAA-MM-JJ)"
    return {
        "string": "texte",
        "integer": "nombre entier",
        "number": "nombre décimal",
        "boolean": "vrai ou faux",
    }.get(kind, kind or "texte")


def _operations(schema):
    """[(method, path, operation)] of the OpenAPI document, in its order."""
    components = schema.get("components", {}).get("schemas", {})
    operations = []
    for api_path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            parameters = [
                {
                    "name": parameter["name"],
                    "where": "chemin" if parameter["in"] == "path" else "paramètre",
                    "required": parameter.get("required", False),
                    "description": parameter.get("description", ""),
                    "type": _schema_type(parameter.get("schema", {})),
                    "choices": parameter.get("schema", {}).get("enum", []),
                }
                for parameter in operation.get("parameters", [])
            ]
            content = operation.get("responses", {}).get("200", {}).get("content", {}).get("application/json", {})
            response = content.get("schema", {})
            ref = response.get("$ref", "")
            operations.append(
                {
                    "method": method.upper(),
                    "path": api_path,
                    "id": operation.get("operationId", ""),
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": parameters,
                    "response": components.get(ref.rsplit("/", 1)[-1]) if ref else None,
                    "is_list": "Paginated" in ref,
                }
            )
    return operations


@public_page
def api_docs(request):
    """``/api/``: the endpoints, their parameters and their fields, from the OpenAPI document."""
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema.get("components", {}).get("schemas", {})
    operations = _operations(schema)
    for operation in operations:
        operation["example"] = operation["path"].replace("{id}", "1") if "{id}" in operation["path"] else None
    records = []
    for dataset in datasets():
        component = components.get(dataset.api_name, {})
        records.append(
            {
                "dataset": dataset,
                "fields": [
                    {
                        "name": name,
                        "title": prop.get("title", ""),
                        "description": prop.get("description", ""),
                        "type": _schema_type(prop),
                        "nullable": prop.get("nullable", False),
                    }
                    for name, prop in component.get("properties", {}).items()
                ],
                "operations": [op for op in operations if op["path"].startswith(f"/api/{dataset.slug}/")],
            }
        )
    context = {
        "info": schema.get("info", {}),
        "records": records,
        "rate": settings.API_ANON_RATE,
        "page_size": PAGE_SIZE,
        "max_page_size": MAX_PAGE_SIZE,
        "breadcrumbs": [("Données ouvertes", reverse("opendata:page")), ("API", None)],
    }
    return render(request, "pages/api.html", context)
