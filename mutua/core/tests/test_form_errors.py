"""The error summary at the top of every form (templates/components/form_errors.html)."""

import re

from django import forms
from django.template.loader import render_to_string


class F(forms.Form):
    shares = forms.BooleanField(label="I share this group's experience.")
    ask = forms.CharField(label="Why?")
    languages = forms.MultipleChoiceField(
        label="Languages", choices=[("en", "English")], widget=forms.CheckboxSelectMultiple
    )


def test_summary_joins_label_and_error_without_doubled_punctuation():
    form = F({})
    assert not form.is_valid()
    html = render_to_string("components/form_errors.html", {"form": form})
    assert "I share this group&#x27;s experience: This field is required." in html
    assert ".:" not in html
    assert "Why?: This field is required." in html  # a question keeps its mark


def test_summary_links_point_at_elements_that_exist():
    form = F({})
    form.is_valid()
    summary = render_to_string("components/form_errors.html", {"form": form})
    page = summary + "".join(str(form[name].as_field_group()) for name in form.fields)
    targets = re.findall(r'<a href="#([^"]*)"', summary)
    assert len(targets) == 3 and "" not in targets
    for target in targets:
        assert f'id="{target}"' in page, target
