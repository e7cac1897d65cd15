"""Publish the confidentiality pledge as version 2: the same promise in short sentences (issue 12).

A database that already holds a pledge (a running instance) gets version 2, so every member is asked
to read and accept it again by the consent gate (decision 0007). A fresh database is left alone:
`load_content` ships the current text from `circles/data/agreements.json`. A host who already
published a newer version of their own keeps it."""

from django.db import migrations

# A copy of the pledge in circles/data/agreements.json (a test keeps them equal): a migration must not
# read a data file that later versions change.
VERSION = 2
TITLE = {
    "en": "Confidentiality pledge",
    "es": "Compromiso de confidencialidad",
    "it": "Impegno di riservatezza",
    "ca": "Compromís de confidencialitat",
}
TEXT = {
    "en": (
        "What is shared in this group stays here. I will not repeat names, stories or details that "
        "could show who someone is. I will not record, photograph or copy what is said or written "
        "here. There is one exception. If a life is in danger right now, I will get help. I will "
        "share only what is needed to keep that person safe."
    ),
    "es": (
        "Lo que se comparte en este grupo se queda aquí. No repetiré nombres, historias ni detalles"
        " que puedan decir quién es alguien. No grabaré, ni haré fotos, ni copiaré lo que se diga o"
        " se escriba aquí. Hay una sola excepción. Si una vida corre peligro ahora mismo, buscaré "
        "ayuda. Contaré solo lo necesario para proteger a esa persona."
    ),
    "it": (
        "Ciò che si condivide in questo gruppo resta qui. Non ripeterò nomi, storie o dettagli che "
        "fanno capire chi è una persona. Non registrerò, non farò foto e non copierò ciò che si "
        "dice o si scrive qui. C'è una sola eccezione. Se una vita è in pericolo adesso, chiederò "
        "aiuto. Dirò solo ciò che serve per proteggere quella persona."
    ),
    "ca": (
        "El que es comparteix en aquest grup es queda aquí. No repetiré noms, històries ni detalls "
        "que puguin dir qui és algú. No gravaré, no faré fotos ni copiaré el que es digui o "
        "s'escrigui aquí. Hi ha una sola excepció. Si una vida és en perill ara mateix, buscaré "
        "ajuda. Explicaré només el necessari per protegir aquella persona."
    ),
}


def publish(apps, schema_editor):
    Pledge = apps.get_model("circles", "Pledge")
    if not Pledge.objects.exists() or Pledge.objects.filter(version__gte=VERSION).exists():
        return
    Pledge.objects.create(
        version=VERSION,
        **{f"title_{lang}": text for lang, text in TITLE.items()},
        **{f"text_{lang}": text for lang, text in TEXT.items()},
    )


class Migration(migrations.Migration):
    dependencies = [("circles", "0004_trust_seats_pseudonyms_consent")]

    # Going back keeps version 2: people may already have accepted it.
    operations = [migrations.RunPython(publish, migrations.RunPython.noop)]
