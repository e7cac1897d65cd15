import re
from datetime import UTC, datetime

from django import forms

from mutua.core.widgets import AvailabilityGrid, FastSelect, TimeZoneSelect, timezone_labels


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


class Week(forms.Form):
    availability = forms.TypedMultipleChoiceField(
        coerce=int,
        choices=[(h, str(h)) for h in range(168)],
        widget=AvailabilityGrid(
            days=["M<", "T", "W", "T", "F", "S", "S"],
            day_names=["Mon<day>", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
            hours=range(7, 9),
        ),
        help_text="Pick hours.",
    )


def _ids(html: str) -> set[str]:
    return set(re.findall(r'\sid="([^"]+)"', html))


def test_grid_is_native_checkboxes_one_per_day_and_hour_shown():
    html = str(Week(initial={"availability": [7, 31]})["availability"])
    values = re.findall(r'<input type="checkbox" name="availability" value="(\d+)"', html)
    assert sorted(int(v) for v in values) == sorted(d * 24 + h for d in range(7) for h in (7, 8))
    assert 'value="7" id="av-7" checked>' in html and 'value="31" id="av-31" checked>' in html
    assert 'value="8" id="av-8">' in html
    # Each box is read with its full day name and hour; names are escaped.
    assert '<label for="av-31" class="visually-hidden">Tue 07:00</label>' in html
    assert "Mon&lt;day&gt; 08:00" in html and "<day>" not in html
    assert '<abbr title="Mon&lt;day&gt;">M&lt;</abbr>' in html


def test_grid_descriptions_point_at_ids_that_exist():
    form = Week({})
    assert not form.is_valid()
    html = str(form["availability"])
    page = html + f'<p id="{form["availability"].auto_id}_error">x</p><p id="id_availability_helptext">h</p>'
    described = re.search(r'<table class="availability" aria-describedby="([^"]+)"', html).group(1).split()
    assert "id_availability_help" in described
    assert set(described) <= _ids(page)
    assert 'aria-invalid="true"' in html
    # The error summary links to the field's id: the grid's wrapper carries it.
    assert form["availability"].id_for_label == "id_availability"
    assert 'class="availability-grid" id="id_availability"' in html


def test_grid_enhancements_are_hidden_without_javascript():
    from django.utils import translation

    with translation.override("es"):
        html = str(Week()["availability"])
    # The copy button and the keyboard help only mean something once mutua.js has run.
    assert '<p class="grid-tools" hidden><button type="button"' in html
    assert '<p class="helptext" id="id_availability_keys" hidden>' in html
    assert "data-availability-grid" in html and "<script" not in html
    assert re.search(r'data-say-range="[^"]*%\(start\)s[^"]*%\(end\)s', html)


def test_grid_submits_the_chosen_hours():
    form = Week({"availability": ["7", "32"]})
    assert form.is_valid()
    assert form.cleaned_data["availability"] == [7, 32]
    assert 'value="32" id="av-32" checked>' in str(form["availability"])


def test_time_zones_read_as_city_and_abbreviation_and_submit_the_iana_id():
    winter, summer = datetime(2026, 1, 15, tzinfo=UTC), datetime(2026, 7, 15, tzinfo=UTC)
    names = ["Europe/Madrid", "America/Bogota", "Asia/Kathmandu", "America/Argentina/Buenos_Aires"]
    names += ["America/Buenos_Aires", "US/Eastern", "UTC"]
    labels = timezone_labels(names, at=winter)
    assert labels["Europe/Madrid"] == "Madrid (CET)"
    assert timezone_labels(["Europe/Madrid"], at=summer)["Europe/Madrid"] == "Madrid (CEST)"
    assert labels["America/Bogota"] == "Bogota (UTC−5)"  # the zone has no letters
    assert labels["Asia/Kathmandu"] == "Kathmandu (UTC+5:45)"
    # Two ids for one city stay apart; a zone outside the continents keeps its prefix.
    assert labels["America/Argentina/Buenos_Aires"] != labels["America/Buenos_Aires"]
    assert labels["US/Eastern"] == "US / Eastern (EST)"
    assert labels["UTC"] == "UTC"


class Zone(forms.Form):
    tz = forms.ChoiceField(
        choices=[("Europe/Madrid", "Europe/Madrid"), ("America/Bogota", "America/Bogota")],
        widget=TimeZoneSelect,
    )


def test_time_zone_select_shows_labels_sorted_and_keeps_values():
    form = Zone({"tz": "Europe/Madrid"})
    assert form.is_valid() and form.cleaned_data["tz"] == "Europe/Madrid"
    html = str(form["tz"])
    assert re.search(r'<option value="Europe/Madrid" selected>Madrid \(CES?T\)</option>', html)
    assert html.index("Bogota (") < html.index("Madrid (")
    assert ">Europe/Madrid<" not in html
