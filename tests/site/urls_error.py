"""The site's URLs plus routes that fail on purpose, to test the error handlers."""

from django.core.exceptions import BadRequest, PermissionDenied
from django.db import OperationalError
from django.urls import include, path

from creteil_cls.urls import handler400, handler403, handler404, handler500  # noqa: F401 (the resolver reads them here)


def broken(request):
    raise RuntimeError("Panne voulue par le test")


def database_down(request):
    raise OperationalError("could not connect to server")


def forbidden(request):
    raise PermissionDenied


def unreadable(request):
    raise BadRequest("Paramètre illisible")


urlpatterns = [
    path("test/panne/", broken),
    path("test/base-indisponible/", database_down),
    path("test/interdit/", forbidden),
    path("test/illisible/", unreadable),
    path("", include("creteil_cls.urls")),
]
