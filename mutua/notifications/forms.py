from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from mutua.notifications.models import Kind

INBOX_ONLY = "inbox"
ALSO_EMAIL = "email"
CHOICES = [(INBOX_ONLY, _("Inbox only")), (ALSO_EMAIL, _("Inbox and email"))]


class PreferencesForm(forms.Form):
    """One choice per kind of notification."""

    def __init__(self, *args: Any, current: dict[str, bool], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in Kind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=CHOICES,
                widget=forms.RadioSelect,
                initial=ALSO_EMAIL if current.get(kind.value) else INBOX_ONLY,
            )

    def email_choices(self) -> dict[str, bool]:
        return {kind: value == ALSO_EMAIL for kind, value in self.cleaned_data.items()}
