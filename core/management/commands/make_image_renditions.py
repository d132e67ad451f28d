"""``python manage.py make_image_renditions``: the renditions of every stored image (core/images.py).

The field makes them when an image is saved; this command makes those that are missing (after a
change of ``RENDITION_WIDTHS`` or ``IMAGE_RENDITION_FORMATS``, a restore of the media directory),
or all of them again with ``--all``. It also fills the width and height fields left empty.
"""

from django.apps import apps
from django.core.management.base import BaseCommand

from core.images import SanitizedImageField, has_renditions, make_renditions


class Command(BaseCommand):
    help = "Fabrique les déclinaisons (tailles, formats AVIF et WebP) des images déposées qui n’en ont pas encore."

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true", help="refaire aussi celles qui existent déjà")

    def handle(self, *args, all=False, **options):
        made = missing = 0
        for model in apps.get_models():
            for field in model._meta.get_fields():
                if not isinstance(field, SanitizedImageField):
                    continue
                rows = model._base_manager.exclude(**{field.attname: ""}).exclude(**{f"{field.attname}__isnull": True})
                for row in rows.iterator():
                    file = getattr(row, field.attname)
                    if not file.storage.exists(file.name):
                        missing += 1
                        continue
                    if field.width_field and not getattr(row, field.width_field):
                        field.update_dimension_fields(row, force=True)
                        row.save(update_fields=[field.width_field, field.height_field])
                    width = getattr(row, field.width_field, None) if field.width_field else None
                    if all or not has_renditions(file.storage, file.name, width or 0):
                        make_renditions(file.storage, file.name)
                        made += 1
        self.stdout.write(f"Images déclinées : {made}. Fichiers introuvables : {missing}.")
