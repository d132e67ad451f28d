"""Fields that several apps' models declare alike."""

from django.db import models


def page_address_field(*, source="titre", max_length=200):
    """The end of a public page's web address (its slug), filled from ``source`` by the admin.

    Each admin fills it as the editor types the title (``prepopulated_fields``); editors rarely
    need to touch it, and its help says so in their words.
    """
    return models.SlugField(
        "adresse de la page",
        max_length=max_length,
        unique=True,
        help_text=(
            f"La fin de l’adresse web de la page, remplie à partir du {source} ; "
            "à changer seulement si nécessaire (les liens déjà donnés ne marcheraient plus)."
        ),
    )
