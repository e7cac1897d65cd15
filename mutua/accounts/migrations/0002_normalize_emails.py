"""Store every address in its normal form (NFKC + casefold, no surrounding whitespace).

Accounts are looked up by exact equality on that form from now on (mutua/accounts/normalize.py), so
an address stored any other way would no longer be found at login.

Two rows may collide: "Maria@example.org" and "maria@example.org" normalise to the same address, and
the address is unique. Merging or deleting accounts is never safe to do automatically (each may hold
memberships, pseudonyms and check-ins of a different person), and choosing which one owns the address
is a human decision. So a colliding row is left exactly as it is: if one of them already holds the
normal form it keeps it and stays the account reached at login; the others are no longer reachable by
password or reset until host staff resolve them by hand (change or deactivate the address in the
admin). The old code could not log either of two such rows in anyway (its case-insensitive lookup
found two accounts and failed). The migration prints how many rows it left and their ids, never
their addresses.
"""

import unicodedata
from collections import defaultdict

from django.db import migrations


def _normal(value: str) -> str:
    # A frozen copy of mutua.accounts.normalize.normalize_email: a migration must not change meaning
    # if that module changes later.
    return unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", value).casefold()).strip()


def normalize_existing(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    by_normal = defaultdict(list)
    for pk, email in User.objects.using(schema_editor.connection.alias).values_list("pk", "email"):
        by_normal[_normal(email)].append((pk, email))
    left = []
    for normal, rows in by_normal.items():
        if len(rows) > 1:
            left += [pk for pk, email in rows if email != normal]
            continue
        pk, email = rows[0]
        if email != normal:
            User.objects.using(schema_editor.connection.alias).filter(pk=pk).update(email=normal)
    if left:
        print(  # noqa: T201 - shown to the person running migrate, who must resolve these by hand
            f"\n  accounts: {len(left)} account(s) left unnormalised because another account has the "
            f"same address once normalised; resolve by hand in the admin: ids {sorted(left)}"
        )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial")]

    operations = [migrations.RunPython(normalize_existing, migrations.RunPython.noop, elidable=False)]
