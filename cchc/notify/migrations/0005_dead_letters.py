"""Messages that used up their attempts were "failed", like those whose recipient can never be
valid; they are now dead letters, the state administrators are alerted to."""

from django.db import migrations


def forwards(apps, schema_editor):
    Message = apps.get_model("notify", "Message")
    Message.objects.filter(status="failed", attempts__gt=0).exclude(
        last_error="invalid_recipient"
    ).update(status="dead")


def backwards(apps, schema_editor):
    Message = apps.get_model("notify", "Message")
    Message.objects.filter(status="dead").update(status="failed")
    Message.objects.filter(status="unknown").update(status="failed")


class Migration(migrations.Migration):
    dependencies = [("notify", "0004_delivery_lease")]

    operations = [migrations.RunPython(forwards, backwards)]
