"""A note's request is ``interest_request`` (the word « request » keeps its Django meaning)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("mutuelle", "0005_rich_text")]

    operations = [
        migrations.RenameField(model_name="followupnote", old_name="request", new_name="interest_request"),
        migrations.RenameField(model_name="historicalfollowupnote", old_name="request", new_name="interest_request"),
    ]
