"""``python manage.py load_cls_content``: the initial content of the portal, loaded once.

Idempotent: each app's loader creates only what is missing and never touches an existing row,
so what editors change in the admin survives a re-run. The apps are called explicitly, from the
ground up (the site's settings, partners and actions, then the agenda, then the mutuelle): the data and the loading
of each live in its ``content.py``.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from actions.content import load_initial_content as load_actions
from core.content import load_search_synonyms, load_site_settings
from core.search import deferred_search_refresh
from creteil_cls.glossary_content import load_initial_content as load_glossary
from events.content import load_initial_content as load_events
from mutuelle.content import load_initial_content as load_mutuelle

# The site's settings first (every page shows them); the search last: its texts are rebuilt once
# every row and relation exists.
LOADERS = [load_site_settings, load_actions, load_events, load_mutuelle, load_glossary, load_search_synonyms]


def _agree(count, word, feminine=False):
    """« 1 action créée », « 12 actions créées », « 0 objectif créé »."""
    word = f"{word}e" if feminine else word
    return f"{count} {word}s" if count > 1 else f"{count} {word}"


class Command(BaseCommand):
    help = (
        "Charge le contenu initial du contrat local de santé (objectifs, thèmes, publics, quartiers, "
        "partenaires, actions, lieux et événements à venir, barème de la CSS, offre de mutuelle, glossaire, "
        "synonymes de la recherche). Ne crée que ce qui manque et ne modifie jamais l’existant."
    )

    def handle(self, *args, **options):
        today = timezone.localdate()
        # The search's texts are rebuilt once, at the end, rather than at every row and relation.
        with transaction.atomic(), deferred_search_refresh():
            results = [line for load in LOADERS for line in load(today=today)]
        for label, feminine, (created, existing) in results:
            self.stdout.write(
                f"{label} : {_agree(created, 'créé', feminine)}, {_agree(existing, 'déjà présent', feminine)}."
            )
        self.stdout.write(self.style.SUCCESS("Contenu initial du CLS chargé."))
