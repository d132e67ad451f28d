"""Small view helpers shared by the apps (no app imports creteil_cls.views)."""

from django.contrib import admin
from django.http import Http404, QueryDict

from core.preview import load_as_posted


def can_preview(request):
    """Whether ``request`` may see unpublished content: the admin's own rule, and only it.

    Being ``is_staff`` is not enough: a session stopped between the password and the two-factor
    code is staff too. The admin site (staff/admin_site.py) also wants an active account
    and, for an account that must use two-factor authentication, a session verified by a code.
    """
    return admin.site.has_permission(request)


class ForgivingPaginationMixin:
    """A junk or out-of-range ``?page=`` shows the nearest page instead of a 404.

    The template gets ``page_range``: the first and last pages and two on each side of the current
    one, with ``paginator.ELLIPSIS`` between, so that a thousand pages never make a thousand links;
    and ``pagination_query``, the parameters the page links carry on besides the page number (none
    unless ``pagination_parameters`` says which: a filtered list keeps its filters).
    """

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size, allow_empty_first_page=True)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context.get("page_obj")
        if page is not None:
            context["page_range"] = list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
        context["pagination_query"] = self.pagination_parameters()
        return context

    def pagination_parameters(self):
        return QueryDict()


class PublishedOrStaffPreviewMixin:
    """Published objects for everyone; unpublished ones only as a preview, for who may open the admin."""

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        if not obj.is_public and not can_preview(self.request):
            raise Http404("Contenu non publié")
        return obj


class PreviewableViewMixin:
    """A public page that can also show an object it did not load: the admin's preview of unsaved changes.

    ``render_preview()`` renders the page with the view's own ``get_context_data`` and template
    (core/preview.py), so that a preview cannot drift from the public page. Detail views show the
    object with the relations their ``get_queryset()`` loads; another view says how it shows an
    object by overriding ``show_object()``.
    """

    @classmethod
    def render_preview(cls, request, obj, chosen, **context):
        """The page of ``obj`` (unsaved, in memory), its many-to-many as ``chosen`` (``{name: queryset}``)."""
        view = cls()
        view.setup(request, slug=obj.slug)
        view.show_object(obj, chosen)
        return view.render_to_response(view.get_context_data(**context))

    def show_object(self, obj, chosen):
        self.object = load_as_posted(obj, self.get_queryset(), chosen)


class BreadcrumbsMixin:
    def get_breadcrumbs(self):
        return []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["breadcrumbs"] = self.get_breadcrumbs()
        return context
