from django.contrib.syndication.views import Feed
from django.urls import reverse_lazy
from django.utils.html import escape

from core.cache import PublicPageMixin
from core.rich_text import plain_text

from .models import Action


class LatestActionsFeed(PublicPageMixin, Feed):
    shows = ("actions",)
    title = "Contrat local de santé de Créteil : actions"
    link = reverse_lazy("actions:list")
    description = "Les dernières actions de prévention et d’accès aux soins du CLS de Créteil."

    def items(self):
        # Only what the items show: not the body nor the search columns of each action.
        fields = ("title", "slug", "summary", "created_at", "updated_at", "axis__name")
        return Action.objects.published().select_related("axis").only(*fields).order_by("-created_at")[:30]

    def item_title(self, item):
        # Escaped, as Django's own default title is: some readers render titles as HTML too.
        return escape(item.title)

    def item_description(self, item):
        # Feed readers render an RSS description as HTML: the summary goes in as text, without
        # any tag an editor may have typed (plain_text), and escaped, so that an entity typed
        # as text (``&lt;script&gt;``) is not decoded into markup on the way.
        return escape(plain_text(item.summary))

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.axis.name]
