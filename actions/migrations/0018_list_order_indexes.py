"""The published actions in the order two pages read them (PostgreSQL only, issue 13).

- ``action_axis_title_idx``: the site plan reads the first 40 actions of each axis, an axis's page
  12 at a time, both by title (``ActionQuerySet.of_axis``). Without it PostgreSQL read and sorted
  the 2,000 actions of an axis at N = 10 000 (2.5 to 5 ms, five times for the site plan); with it,
  it reads the first ones in order from the index alone (0.07 ms).
- ``action_published_created_idx``: the feed of the actions, the latest 30 created: 30 ms (the whole
  table read and sorted) → 0.2 ms.
"""

from django.db import migrations

from core.migration_helpers import postgres_index


class Migration(migrations.Migration):
    dependencies = [
        ("actions", "0017_list_indexes"),
    ]

    operations = [
        postgres_index(
            "action_axis_title_idx",
            "actions_action",
            "(axis_id, title, id) INCLUDE (slug, publish_at, unpublish_at) WHERE published",
        ),
        postgres_index("action_published_created_idx", "actions_action", "(created_at) WHERE published"),
    ]
