"""The shared cache (rate limits, search index token) lives in a database table unless REDIS_URL
is set: creating it with the schema means no deployment can forget `createcachetable`."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):  # type: ignore[no-untyped-def]
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_citizens_and_drafts")]
    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
