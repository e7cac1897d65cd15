"""The draft editor's form: a fixed list of rows (title and text), no JavaScript. Rows left empty are
ignored; a row with a "remove" tick is dropped. `governance.agreements` checks the set again."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mutua.governance.agreements import OWN_AGREEMENTS_MAX, TEXT_MAX, TITLE_MAX

# Empty rows offered below the draft's own, to add agreements without a script.
EMPTY_ROWS = 3


class DraftItemForm(forms.Form):
    title = forms.CharField(
        label=_("Short title"),
        max_length=TITLE_MAX,
        required=False,
        widget=forms.TextInput(attrs={"maxlength": TITLE_MAX}),
    )
    text = forms.CharField(
        label=_("What it means"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": TEXT_MAX}),
    )
    remove = forms.BooleanField(label=_("Remove this agreement"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("remove"):
            return data
        title, text = (data.get("title") or "").strip(), (data.get("text") or "").strip()
        if text and not title:
            self.add_error("title", _("Give this agreement a short title."))
        if title and not text:
            self.add_error("text", _("Say in a sentence what this agreement means."))
        return data


DraftFormSet = forms.formset_factory(
    DraftItemForm,
    extra=0,
    max_num=OWN_AGREEMENTS_MAX + EMPTY_ROWS,
    absolute_max=OWN_AGREEMENTS_MAX + EMPTY_ROWS,
)


def draft_formset(
    data: Any = None, *, items: list[dict[str, str]] | None = None
) -> forms.BaseFormSet[DraftItemForm]:
    """The editor: the draft's rows, then empty rows up to the most a group keeps."""
    initial = list(items or [])
    rows = min(OWN_AGREEMENTS_MAX, len(initial) + EMPTY_ROWS)
    initial += [{"title": "", "text": ""}] * (rows - len(initial))
    return DraftFormSet(data, initial=initial, prefix="items")


def draft_items(formset: forms.BaseFormSet[DraftItemForm]) -> list[dict[str, str]]:
    """The filled rows of a valid formset, in order, without those marked to remove."""
    items = []
    for form in formset.forms:
        data = form.cleaned_data
        if not data or data.get("remove"):
            continue
        title, text = (data.get("title") or "").strip(), (data.get("text") or "").strip()
        if title or text:
            items.append({"title": title, "text": text})
    return items
