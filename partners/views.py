from django.db.models import Prefetch
from django.urls import reverse
from django.views.generic import DetailView, ListView

from core.cache import PublicPageMixin
from core.views import (
    BreadcrumbsMixin,
    ForgivingPaginationMixin,
    PreviewableViewMixin,
    PublishedOrStaffPreviewMixin,
)

from .models import Partner


class PartnerListView(PublicPageMixin, BreadcrumbsMixin, ForgivingPaginationMixin, ListView):
    """The signatories (a dozen) on the first page, then the other partners, paginated."""

    shows = ("partners",)

    template_name = "partners/partner_list.html"
    context_object_name = "others"
    paginate_by = 48

    def get_queryset(self):
        return Partner.objects.published().filter(is_signatory=False).for_cards()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if context["page_obj"].number == 1:
            context["signatories"] = Partner.objects.published().signatories().for_cards()
        return context

    def get_breadcrumbs(self):
        return [("Partenaires", None)]


class PartnerDetailView(
    PublicPageMixin, PreviewableViewMixin, BreadcrumbsMixin, PublishedOrStaffPreviewMixin, DetailView
):
    model = Partner
    template_name = "partners/partner_detail.html"
    shows = ("partners", "actions", "glossary")

    def get_queryset(self):
        # Reached through the reverse relation: partners does not import the actions app.
        Action = Partner._meta.get_field("actions").related_model
        published_actions = Action.objects.published().select_related("axis")
        return Partner.objects.prefetch_related(
            Prefetch("led_actions", queryset=published_actions, to_attr="published_led_actions"),
            Prefetch("actions", queryset=published_actions, to_attr="published_actions"),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        actions = {action.pk: action for action in self.object.published_led_actions}
        actions.update({action.pk: action for action in self.object.published_actions})
        context["partner_actions"] = sorted(actions.values(), key=lambda action: (action.axis.number, action.title))
        return context

    def get_breadcrumbs(self):
        return [("Partenaires", reverse("partners:list")), (self.object.name, None)]
