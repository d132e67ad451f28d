"""Indexes of the public lists (issue 13): EXPLAIN at 10,000 actions on PostgreSQL, docs/performances.md.

- ``action_updated_at_idx`` (every database): the calendars' freshness reads the latest change of
  the actions in one step (events/calendars.py).
- PostgreSQL only: the published actions with what their counts and filters read (pagination
  counts, the sitemaps' count and last change, the events' check that their action is public, the
  results' progress counts), every action by axis with its publication (the axes' counts of the
  home page, the contract and the site plan), and the featured ones (the home page).
"""

from django.db import migrations, models

from core.migration_helpers import postgres_index


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0016_image_dimensions_and_renditions"),
        ("partners", "0010_image_dimensions_and_renditions"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="action",
            index=models.Index(fields=["updated_at"], name="action_updated_at_idx"),
        ),
        postgres_index(
            "action_public_idx",
            "actions_action",
            "(id) INCLUDE (publish_at, unpublish_at, axis_id, progress, updated_at) WHERE published",
        ),
        postgres_index(
            "action_axis_publication_idx",
            "actions_action",
            "(axis_id) INCLUDE (id, published, publish_at, unpublish_at)",
        ),
        postgres_index("action_featured_idx", "actions_action", "(axis_id) WHERE published AND featured"),
    ]
