"""Phones stored before every door normalised them ("0912 345 678", "+84912345678") take the one
spelling the lookups compare (lib.personal.normalise_phone); a value that is not a Vietnamese
phone stays as it was, for a person to correct."""

from django.db import migrations


def normalise(apps, schema_editor):  # type: ignore[no-untyped-def]
    from cchc.lib.personal import InvalidPhone, normalise_phone

    Dossier = apps.get_model("dossiers", "Dossier")
    batch = []
    rows = Dossier.objects.exclude(applicant_phone="").only("pk", "applicant_phone")
    for d in rows.iterator(chunk_size=2000):
        try:
            phone = normalise_phone(d.applicant_phone)
        except InvalidPhone:
            continue
        if phone != d.applicant_phone:
            d.applicant_phone = phone
            batch.append(d)
        if len(batch) >= 2000:
            Dossier.objects.bulk_update(batch, ["applicant_phone"])
            batch = []
    if batch:
        Dossier.objects.bulk_update(batch, ["applicant_phone"])


class Migration(migrations.Migration):
    dependencies = [("dossiers", "0006_one_stop_corrections")]
    operations = [migrations.RunPython(normalise, migrations.RunPython.noop)]
