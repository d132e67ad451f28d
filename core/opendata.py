"""Open data: the datasets that the apps publish, described once for the files, their schema and the API.

Each app describes the public rows it owns as a :class:`Dataset` in its ``opendata.py`` and
registers it from its ``ready()`` with :func:`register_datasets` (as it registers its content
models with the page cache). The project package (``creteil_cls``) serves every registered dataset
the same way, without naming any:

- ``/donnees/<slug>.csv`` and ``/donnees/<slug>.json``: every row, UTF-8, one documented CSV
  (comma-separated, lists inside a cell separated by ``|``) and the same rows as a JSON array;
- ``/donnees/<slug>.schema.json``: its Table Schema (frictionless), French titles and descriptions;
- ``/api/<slug>/``: the same records, paginated, filtered with the app's own FilterSet
  (``creteil_cls/api.py``, Django REST framework).

A dataset reads its rows from ``queryset()``, which must be built on the app's public queryset
(``published()``, core/publication.py): nothing unpublished, scheduled or withdrawn reaches a
file or the API. Its columns are public facts about the content, never personal data (no
mutuelle data, no staff name, no history).

The files are computed on request and kept by the page cache (core/cache.py): a change of any
content model writes a new generation of its section, shared by every worker and instance, and
the next request builds the files of the datasets that show that section again. The date of the
last update of each dataset is the last change of the content it comes from: the latest moment
among the generations of its sections (``shows``, core/cache.py ``sections_changed_at``), a
scheduled publication counting at its minute. No record is built for it, nor for the number of
rows (counted by the database): the page ``/donnees/``, the data package and the schemas read
neither the rows nor their text. The date is that of the real change or later, never earlier: an
edit of a draft of that section, which no file shows, moves it too, and so does an emptied store
(a Redis flush: the generations are then written anew at the next request).
"""

import csv
import datetime
import decimal
import io
import json
import operator
from dataclasses import dataclass, field

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from core.cache import sections_changed_at
from core.links import slug_path

LICENCE = {
    "name": "etalab-2.0",
    "title": "Licence Ouverte / Open Licence version 2.0",
    "path": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}
LIST_DELIMITER = "|"

# Table Schema types (https://specs.frictionlessdata.io/table-schema/) and how the API describes them.
TYPES = {"string", "integer", "number", "boolean", "date", "datetime", "list"}


@dataclass(frozen=True)
class Column:
    """One column of a dataset: its name in the files and the API, its French title, how to read it.

    ``value(obj)`` gives the value of one object: a ``str``, ``int``, ``Decimal``, ``bool``, ``date``,
    ``datetime`` (shown in Paris time with its offset), a list of strings (``type="list"``), or
    ``None`` for an empty cell. ``enum``: the values allowed, ``required``: never empty.
    """

    name: str
    type: str
    title: str
    description: str
    value: object
    required: bool = False
    unique: bool = False
    enum: tuple = ()
    format: str = ""

    def __post_init__(self):
        if self.type not in TYPES:
            raise ValueError(f"Type de colonne inconnu : {self.type}")

    def json_value(self, obj):
        return to_json(self.value(obj))

    def descriptor(self):
        """The column in the Table Schema."""
        descriptor = {"name": self.name, "type": self.type, "title": self.title, "description": self.description}
        if self.format:
            descriptor["format"] = self.format
        if self.type == "list":
            descriptor["itemType"] = "string"
            descriptor["delimiter"] = LIST_DELIMITER
        if self.type == "boolean":
            descriptor["trueValues"] = ["true"]
            descriptor["falseValues"] = ["false"]
        constraints = {}
        if self.required:
            constraints["required"] = True
        if self.unique:
            constraints["unique"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if constraints:
            descriptor["constraints"] = constraints
        return descriptor


def id_column(of_what):
    """The ``id`` column: « Identifiant stable de l’action sur le portail » (``of_what``: « de l’action »)."""
    return Column(
        "id",
        "integer",
        "Identifiant",
        f"Identifiant stable {of_what} sur le portail.",
        lambda obj: obj.pk,
        required=True,
        unique=True,
    )


def slug_column(of_what):
    """The ``slug`` column: the end of the address of the page (``of_what``: « de l’action »)."""
    return Column(
        "slug",
        "string",
        "Adresse de la page",
        f"Fin de l’adresse de la page {of_what}.",
        lambda obj: obj.slug,
        required=True,
        unique=True,
    )


def page_url(viewname, slug_of=operator.attrgetter("slug")):
    """A column's function: the absolute address of the object's page, ``SITE_URL + reverse(viewname, slug=…)``.

    Reversed once, not for every row (a reverse() per row was a tenth of the records' time,
    core/links.py). ``slug_of``: how to read the slug of an object.
    """

    def value(obj):
        return settings.SITE_URL + slug_path(viewname, slug_of(obj))

    return value


@dataclass(frozen=True)
class ForeignKey:
    """A column that names a row of another dataset (its ``slug`` and the column there)."""

    column: str
    dataset: str
    reference: str = "id"


@dataclass
class Dataset:
    """A table of public rows of one app: actions, events, places, partners…

    ``queryset()`` returns the public rows, with what ``columns`` read loaded in a bounded number
    of queries, in a stable order. ``filterset_class``: the FilterSet of the app's public list,
    reused by the API (``None``: the API lists every row), its parameters explained in
    ``parameters_help``. ``position`` orders the datasets on
    ``/donnees/`` and in the API. ``shows``: the sections of the page cache whose changes change
    its rows (core/cache.py), for its files, its API and its date of last update (``updated_at``).
    """

    slug: str
    title: str
    description: str
    columns: list
    queryset: object
    primary_key: str = "id"
    foreign_keys: list = field(default_factory=list)
    filterset_class: object = None
    filters_help: str = ""
    # The API's query parameters in plain words ({"du": "…"}), for its OpenAPI description.
    parameters_help: dict = field(default_factory=dict)
    position: int = 100
    api_name: str = ""
    # The page cache's sections its rows come from (core/cache.py); None: every section.
    shows: tuple = None

    def column(self, name):
        return next(column for column in self.columns if column.name == name)

    def record(self, obj):
        """One row as JSON values, in the columns' order."""
        return {column.name: column.json_value(obj) for column in self.columns}

    def records(self):
        return [self.record(obj) for obj in self.queryset()]

    def table_schema(self):
        schema = {
            "fields": [column.descriptor() for column in self.columns],
            "primaryKey": [self.primary_key],
            "missingValues": [""],
        }
        if self.foreign_keys:
            schema["foreignKeys"] = [
                {"fields": [key.column], "reference": {"resource": key.dataset, "fields": [key.reference]}}
                for key in self.foreign_keys
            ]
        return schema


_datasets = {}


def register_datasets(*datasets):
    """Publish these datasets (called from each app's ``ready()``)."""
    for dataset in datasets:
        _datasets[dataset.slug] = dataset


def datasets():
    """The published datasets, in their order on /donnees/."""
    return sorted(_datasets.values(), key=lambda dataset: (dataset.position, dataset.slug))


def get_dataset(slug):
    """The dataset of this slug, or None."""
    return _datasets.get(slug)


def to_json(value):
    """A value as the JSON files and the API give it (dates in ISO 8601, Paris time)."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    return value


def csv_cell(value):
    """A JSON value as a CSV cell (Table Schema's default formats)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return LIST_DELIMITER.join(value)
    return str(value)


def to_csv(dataset, records):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.name for column in dataset.columns])
    for record in records:
        writer.writerow([csv_cell(record[column.name]) for column in dataset.columns])
    return buffer.getvalue()


def to_json_text(records):
    return json.dumps(records, ensure_ascii=False, indent=1)


def updated_at(dataset, *, now=None):
    """When the dataset last changed: the last change of the content it comes from (see the module docstring)."""
    return sections_changed_at(dataset.shows, now=now)


def row_count(dataset):
    """The number of rows of the dataset, counted by the database (no record is built)."""
    return dataset.queryset().count()


def file_urls(dataset):
    """{"csv": …, "json": …, "schema": …}: the addresses of the dataset's files."""
    return {
        key: reverse("opendata:file", kwargs={"slug": dataset.slug, "fmt": fmt})
        for key, fmt in (("csv", "csv"), ("json", "json"), ("schema", "schema.json"))
    }


def resource_descriptor(dataset, updated, *, absolute=True):
    """The dataset as a resource of the data package (its CSV, with its schema inline); ``updated``: its date."""
    base = settings.SITE_URL if absolute else ""
    return {
        "name": dataset.slug,
        "title": dataset.title,
        "description": dataset.description,
        "path": base + file_urls(dataset)["csv"],
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "dialect": {"delimiter": ",", "header": True},
        "licenses": [LICENCE],
        "lastModified": to_json(updated),
        "schema": dataset.table_schema(),
    }


def schema_descriptor(dataset, updated, count):
    """What ``/donnees/<slug>.schema.json`` gives: the Table Schema, with the dataset's metadata around it."""
    return {
        "name": dataset.slug,
        "title": dataset.title,
        "description": dataset.description,
        "licenses": [LICENCE],
        "lastModified": to_json(updated),
        "rowCount": count,
        **dataset.table_schema(),
    }
