from django.core.management.base import BaseCommand

from core.content import rebuild_search_texts


class Command(BaseCommand):
    help = (
        "Reconstruit les textes et les index de la recherche de chaque contenu (après une mise à jour "
        "qui change ce que la recherche lit, ou des écritures en masse hors de l'administration)."
    )

    def handle(self, *args, **options):
        rebuild_search_texts()
        self.stdout.write("Index de la recherche reconstruit.")
