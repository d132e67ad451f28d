from django.urls import path, register_converter

from . import calendars, registration_views, views


class YearConverter:
    regex = "[0-9]{4}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{value:04d}"


class MonthConverter:
    regex = "[0-9]{2}"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{value:02d}"


register_converter(YearConverter, "yyyy")
register_converter(MonthConverter, "mm")

app_name = "events"

urlpatterns = [
    path("agenda/", views.EventListView.as_view(), name="list"),
    path("agenda.ics", calendars.agenda_ics, name="feed_ics"),
    path("agenda/<yyyy:year>/<mm:month>/", views.month_view, name="month"),
    path("agenda/<slug:slug>.ics", calendars.event_ics, name="ics"),
    path("agenda/<slug:slug>/", views.EventDetailView.as_view(), name="detail"),
    path("agenda/<slug:slug>/inscription/", registration_views.register, name="register"),
    path("agenda/<slug:slug>/inscription/merci/", registration_views.registration_done, name="registration_done"),
    path(
        "agenda/<slug:slug>/inscription/annuler/<str:token>/",
        registration_views.registration_cancel,
        name="registration_cancel",
    ),
    path("lieux/<slug:slug>/", views.PlaceDetailView.as_view(), name="place"),
    path("flux/agenda/", calendars.UpcomingEventsFeed(), name="feed_rss"),
    path("resultats/", views.ResultsView.as_view(), name="results"),
]
