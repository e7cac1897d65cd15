import secrets

from django.db import migrations


def rooms_for_online_groups(apps, schema_editor):
    """Every online or hybrid group gets its room (new groups get one when they are created)."""
    Circle = apps.get_model("circles", "Circle")
    Room = apps.get_model("meetings", "Room")
    has_room = set(Room.objects.filter(retired_at__isnull=True).values_list("circle_id", flat=True))
    for circle in Circle.objects.filter(mode__in=["online", "hybrid"]).exclude(pk__in=has_room):
        Room.objects.create(circle=circle, name="mutua-" + secrets.token_urlsafe(20))


class Migration(migrations.Migration):
    dependencies = [("meetings", "0001_initial")]

    operations = [migrations.RunPython(rooms_for_online_groups, migrations.RunPython.noop)]
