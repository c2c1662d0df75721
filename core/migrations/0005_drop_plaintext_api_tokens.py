"""API tokens moved from DRF's authtoken (plain keys, shown in the admin, never expiring) to django-rest-knox
(digests, expiring). The old keys were readable by anyone with database or admin access, so they are not carried
over: this drops DRF's table and every plain key in it. Integrations create a new token at /account/api-token/."""
from django.db import migrations


def drop_plain_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if "authtoken_token" in connection.introspection.table_names():
        schema_editor.execute("DROP TABLE authtoken_token")


class Migration(migrations.Migration):

    dependencies = [
        ("core", "0004_notification_topics"),
        ("knox", "0009_extend_authtoken_field"),
    ]

    operations = [
        migrations.RunPython(drop_plain_tokens, migrations.RunPython.noop, elidable=True),
    ]
