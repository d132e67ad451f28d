"""Index of the partners' list (issue 13): EXPLAIN at 10,000 partners on PostgreSQL, docs/performances.md.

PostgreSQL only: the published partners in the list's order (signatories first, then ``order``
and name), with what its count and the sitemap read: a page of the list is read from the index,
where the whole table was read and sorted.
"""

from django.db import migrations

from core.migration_helpers import postgres_index


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0010_image_dimensions_and_renditions"),
    ]

    operations = [
        postgres_index(
            "partner_public_idx",
            "partners_partner",
            '(is_signatory DESC, "order", name) INCLUDE (publish_at, unpublish_at, updated_at) WHERE published',
        ),
    ]
