from django.db import migrations

from core.migration_helpers import grant_group_permissions


class Migration(migrations.Migration):
    dependencies = [
        ("mutuelle", "0001_initial"),
        ("staff", "0001_groups"),
    ]

    operations = [
        # The offer and the CSS scale are public content: the editors keep them up to date.
        grant_group_permissions(
            "Rédaction",
            "mutuelle",
            ["offer", "formula", "formulaprice", "cssscale", "cssceiling", "csscontribution"],
        ),
        # Interest requests hold personal data: the mutuelle agents only (custom permissions included).
        grant_group_permissions("Mutuelle", "mutuelle", ["interestrequest", "followupnote"]),
    ]
