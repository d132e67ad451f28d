from django.db.models import Count
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import DetailView, ListView
from django_filters.views import FilterView

from core.cache import PublicPageMixin
from core.publication import publication_q
from core.views import (
    BreadcrumbsMixin,
    ForgivingPaginationMixin,
    PreviewableViewMixin,
    PublishedOrStaffPreviewMixin,
)

from .filters import ActionFilter
from .models import Action, Axis, Indicator, progress_rows

UPCOMING_EVENTS_ON_ACTION = 10


class AxisDetailView(PublicPageMixin, PreviewableViewMixin, BreadcrumbsMixin, ForgivingPaginationMixin, ListView):
    """One axis of the contract and its published actions, paginated as the list of all actions is."""

    shows = ("actions",)

    template_name = "actions/axis_detail.html"
    paginate_by = 12
    context_object_name = "actions"

    def get(self, request, *args, **kwargs):
        self.axis = get_object_or_404(Axis, slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def show_object(self, obj, chosen):
        """The preview of the axis's unsaved texts, with its saved actions."""
        self.axis = obj
        self.object_list = self.get_queryset()

    def get_queryset(self):
        return Action.objects.published().of_axis(self.axis).for_cards()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["axis"] = self.axis
        context["axes"] = Axis.objects.all()
        # The axis's results summed up: its actions by progress, its indicators.
        context["progress_rows"] = progress_rows(Action.objects.published().filter(axis=self.axis).progress_counts())
        context["indicators"] = Indicator.objects.of_published_actions().filter(action__axis=self.axis).summary()
        return context

    def get_breadcrumbs(self):
        return [(f"Axe {self.axis.number}", None)]


class ActionListView(PublicPageMixin, BreadcrumbsMixin, ForgivingPaginationMixin, FilterView):
    shows = ("actions",)
    filterset_class = ActionFilter
    template_name = "actions/action_list.html"
    paginate_by = 12
    context_object_name = "actions"

    def get_queryset(self):
        return Action.objects.published().for_cards()

    def pagination_parameters(self):
        query = self.request.GET.copy()
        query.pop(self.page_kwarg, None)
        return query

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["is_filtered"] = any(value for key, value in self.request.GET.items() if key != "page")
        return context

    def get_breadcrumbs(self):
        return [("Actions", None)]


class ActionDetailView(
    PublicPageMixin, PreviewableViewMixin, BreadcrumbsMixin, PublishedOrStaffPreviewMixin, DetailView
):
    model = Action
    template_name = "actions/action_detail.html"
    shows = ("actions", "events", "partners", "glossary")

    def get_queryset(self):
        return Action.objects.for_detail().with_results()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        # Through the reverse relation: the actions app does not import the agenda. The preview of
        # an unpublished action shows the events that will show with it (the public sees none).
        preview = not self.object.is_public
        events = self.object.events.published(action_preview=preview).upcoming().select_related("place")
        context["upcoming_events"] = events[:UPCOMING_EVENTS_ON_ACTION]
        context["events_preview"] = preview
        # Where the action takes place, with its practical details (the agenda's places, likewise).
        context["places"] = self.object.places.published().select_related("neighbourhood")
        # Beside its indicators, what it held: the events that took place and the people who came.
        context["attendance"] = self.object.events.published(action_preview=preview).held().attendance_totals()
        return context

    def get_breadcrumbs(self):
        return [
            ("Actions", reverse("actions:list")),
            (self.object.title, None),
        ]


def axes_with_counts():
    """The five axes with the number of published actions of each (one query)."""
    return Axis.objects.annotate(action_count=Count("actions", filter=publication_q(prefix="actions__")))
