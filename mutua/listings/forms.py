from django import forms
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from mutua.listings.fetch import MAX_BYTES


class FeedFileForm(forms.Form):
    """The admin's upload of a feed file."""

    file = forms.FileField(
        label=_("Feed file"), help_text=_("Meeting Guide JSON, or a spreadsheet saved as CSV.")
    )
    csv = forms.BooleanField(
        label=_("It is a spreadsheet (CSV)"),
        required=False,
        help_text=_("Files whose name ends in .csv are read as spreadsheets anyway."),
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(size)s.") % {"size": filesizeformat(MAX_BYTES)}
            )
        return upload

    @property
    def is_csv(self) -> bool:
        return bool(self.cleaned_data.get("csv")) or self.cleaned_data["file"].name.lower().endswith(".csv")
