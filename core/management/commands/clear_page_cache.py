from django.core.management.base import BaseCommand

from core.cache import bump_generation


class Command(BaseCommand):
    help = (
        "Invalide toutes les pages publiques gardées en cache (après un déploiement qui change "
        "les gabarits ou le code, ou une restauration de la base)."
    )

    def handle(self, *args, **options):
        bump_generation()
        self.stdout.write("Cache des pages invalidé : chaque page sera recalculée à sa prochaine visite.")
