from django import forms

from mutua.core.widgets import FastSelect


class F(forms.Form):
    pick = forms.ChoiceField(
        choices=[("", "Any"), ("Group <A>", [("a", "A & co"), ("b", "B")]), ("c", "C")],
        widget=FastSelect,
        required=False,
    )


def test_fast_select_matches_django_select_semantics():
    html = str(F({"pick": "b"})["pick"])
    assert html.startswith('<select name="pick" id="id_pick">')
    assert '<optgroup label="Group &lt;A&gt;">' in html
    assert '<option value="a">A &amp; co</option>' in html
    assert '<option value="b" selected>B</option>' in html
    assert '<option value="" ' not in html and '<option value="">Any</option>' in html
    assert F({"pick": "b"}).is_valid()


def test_fast_select_marks_errors_for_assistive_tech():
    form = F({"pick": "zzz"})
    assert not form.is_valid()
    assert 'aria-invalid="true"' in str(form["pick"])
