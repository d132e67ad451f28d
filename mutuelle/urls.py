from django.urls import path

from . import appointment_views, views

app_name = "mutuelle"

urlpatterns = [
    path("", views.home, name="home"),
    path("eligibilite/", views.eligibility, name="eligibility"),
    path("demande/", views.request_form, name="request"),
    path("demande/merci/", views.request_done, name="request_done"),
    path("rendez-vous/", appointment_views.appointments, name="appointments"),
    # The thank-you page before the cancellation: a permanence whose slug is « annuler » keeps its
    # « merci » page (a cancellation token is signed, never « merci »).
    path("rendez-vous/<slug:slug>/merci/", appointment_views.appointment_done, name="appointment_done"),
    path("rendez-vous/annuler/<str:token>/", appointment_views.appointment_cancel, name="appointment_cancel"),
    path("rendez-vous/<slug:slug>/", appointment_views.book, name="appointment_book"),
]
