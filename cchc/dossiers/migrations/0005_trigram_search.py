"""PostgreSQL only: trigram indexes so that searching a unit's dossiers by a part of the applicant's
name or of the code stays fast over millions of rows. SQLite has no equivalent and needs none at
a commune's scale."""

from django.db import migrations


def create(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # Expressions as Django writes them for icontains / endswith, so the planner can use them.
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS dossier_name_trgm ON dossiers_dossier "
        "USING gin ((UPPER(applicant_name::text)) gin_trgm_ops)"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS dossier_code_trgm ON dossiers_dossier USING gin (code gin_trgm_ops)"
    )


def drop(apps, schema_editor):  # type: ignore[no-untyped-def]
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS dossier_name_trgm")
    schema_editor.execute("DROP INDEX IF EXISTS dossier_code_trgm")


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0004_worklist_indexes")]
    operations = [migrations.RunPython(create, drop)]
