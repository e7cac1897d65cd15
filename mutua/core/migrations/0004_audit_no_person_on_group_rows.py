"""Existing group audit rows drop their link to a person (P7, DESIGN §2): the acting member becomes
their membership id in that group, person-naming keys leave `data`, and only staff acting outside
their own membership keep their identity. Mirrors `core.models.audit()`."""

import re

from django.db import migrations

PERSON_KEY = re.compile(
    r"(^|_)(user|users|person|people|email|emails|actor|name|display_name)(_ids?|_pks?)?$"
)


def forwards(apps, schema_editor):
    AuditEvent = apps.get_model("core", "AuditEvent")
    Membership = apps.get_model("circles", "Membership")
    rows = AuditEvent.objects.filter(circle__isnull=False).select_related("actor")
    for event in rows.iterator():
        fields = []
        data = {k: v for k, v in (event.data or {}).items() if not PERSON_KEY.search(k)}
        if data != (event.data or {}):
            event.data = data
            fields.append("data")
        if event.actor_id is not None:
            ref = (
                Membership.objects.filter(circle_id=event.circle_id, user_id=event.actor_id)
                .values_list("pk", flat=True)
                .first()
            )
            if ref is not None or not event.actor.is_staff:
                event.member_ref = ref
                event.actor = None
                fields += ["member_ref", "actor"]
        if fields:
            # Only the changed columns; nothing else about the row is rewritten.
            AuditEvent.objects.filter(pk=event.pk).update(**{f: getattr(event, f) for f in fields})


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_audit_member_ref"),
        ("circles", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
