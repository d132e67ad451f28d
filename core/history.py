"""django-simple-history with French names for the history models (shown in the admin)."""

from django.utils.encoding import smart_str
from django.utils.text import format_lazy
from simple_history.models import HistoricalRecords

# The reason written in the history of every row that the initial content created (load_cls_content).
CHANGE_REASON = "Contenu initial"


class FrenchHistoricalRecords(HistoricalRecords):
    def get_meta_options(self, model):
        meta = super().get_meta_options(model)
        if not self.user_set_verbose_name:
            meta["verbose_name"] = format_lazy("historique : {}", smart_str(model._meta.verbose_name))
        if not self.user_set_verbose_name_plural:
            meta["verbose_name_plural"] = format_lazy("historique : {}", smart_str(model._meta.verbose_name_plural))
        return meta
