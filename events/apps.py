from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = "Agenda"

    def ready(self):
        from core.cache import register_content_models

        from . import dashboard  # noqa: F401 (its block joins the admin's first page)
        from .models import Event, EventAttendance, Place

        # The public content: a change renews the cached pages that show the « events » section (core/cache.py).
        register_content_models(Place, Event, EventAttendance, section="events")

        from core.opendata import register_datasets

        from .opendata import ATTENDANCE, ATTENDANCE_BY_AUDIENCE, EVENTS, PLACES

        # Published as open data: /donnees/ and /api/ (core/opendata.py).
        register_datasets(EVENTS, PLACES, ATTENDANCE, ATTENDANCE_BY_AUDIENCE)
