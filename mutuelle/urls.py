from django.urls import path

from . import views

app_name = "mutuelle"

urlpatterns = [
    path("", views.home, name="home"),
    path("eligibilite/", views.eligibility, name="eligibility"),
    path("demande/", views.request_form, name="request"),
    path("demande/merci/", views.request_done, name="request_done"),
]
