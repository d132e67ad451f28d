"""Small view helpers shared by the apps (no app imports creteil_cls.views)."""

from django.http import Http404


class ForgivingPaginationMixin:
    """A junk or out-of-range ``?page=`` shows the nearest page instead of a 404."""

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size, allow_empty_first_page=True)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()


class PublishedOrStaffPreviewMixin:
    """Published objects for everyone; unpublished ones only for staff, as a preview."""

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not obj.published and not self.request.user.is_staff:
            raise Http404("Contenu non publié")
        return obj


class BreadcrumbsMixin:
    def get_breadcrumbs(self):
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["breadcrumbs"] = self.get_breadcrumbs()
        return context
