from django.urls import path

from . import views
from .feeds import LatestActionsFeed

app_name = "actions"

urlpatterns = [
    path("axes/<slug:slug>/", views.AxisDetailView.as_view(), name="axis"),
    path("actions/", views.ActionListView.as_view(), name="list"),
    path("actions/<slug:slug>/", views.ActionDetailView.as_view(), name="detail"),
    path("flux/actions/", LatestActionsFeed(), name="feed"),
]
