"""A <select> rendered in Python. Django renders each <option> through a template include, which
made the directory's filter form a third of its response time (bench/directory.py); the HTML here is
the same, escaped with format_html."""

import zoneinfo
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _


class FastSelect(forms.Select):
    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        selected = {
            "" if value is None else str(v) for v in (value if isinstance(value, (list, tuple)) else [value])
        }

        def options(choices: Any) -> SafeString:
            return format_html_join(
                "",
                '<option value="{}"{}>{}</option>',
                (
                    (str(v), mark_safe(" selected") if str(v) in selected else "", label)
                    for v, label in choices
                ),
            )

        parts = []
        for group_value, group_label in self.choices:
            if isinstance(group_label, (list, tuple)):
                parts.append(
                    format_html('<optgroup label="{}">{}</optgroup>', group_value, options(group_label))
                )
            else:
                parts.append(options([(group_value, group_label)]))
        attr_html = format_html_join(
            "", ' {}="{}"', ((k, v) for k, v in final.items() if v not in (None, False))
        )
        return format_html('<select name="{}"{}>{}</select>', name, attr_html, mark_safe("".join(parts)))  # noqa: S308 - each part is format_html output


class AvailabilityGrid(forms.CheckboxSelectMultiple):
    """A week as a table of native checkboxes, one per hour (value `weekday * 24 + hour`).

    Without JavaScript it is a plain table of checkboxes in a form. `static/js/mutua.js` turns it
    into one composite widget (`data-availability-grid`): a single tab stop, arrow keys move, space
    ticks, shift + arrows choose a range that space then ticks, and a "copy Monday" button appears.
    The words the script announces travel in data attributes, translated here.

    `days` are the column headers (short names), `day_names` the full names read with each box and
    `hours` the rows shown. The HTML is built with format_html like FastSelect: 112 checkboxes
    through Django's per-option templates would be slow."""

    def __init__(
        self,
        *,
        days: Sequence[Any],
        day_names: Sequence[Any],
        hours: Iterable[int],
        attrs: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(attrs)
        self.days = list(days)
        self.day_names = list(day_names)
        self.hours = list(hours)

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        base_id = str(final.get("id") or f"id_{name}")
        # Django describes a field by its help text and error ids; the grid adds its own help.
        describedby = " ".join([f"{base_id}_help", *str(final.get("aria-describedby") or "").split()])
        selected = {str(v) for v in (value or [])}
        head = format_html_join(
            "", '<th scope="col"><abbr title="{}">{}</abbr></th>', zip(self.day_names, self.days, strict=True)
        )
        rows = []
        for hour in self.hours:
            time = f"{hour:02d}:00"
            cells = format_html_join(
                "",
                '<td><input type="checkbox" name="{}" value="{}" id="av-{}"{}>'
                '<label for="av-{}" class="visually-hidden">{} {}</label></td>',
                (
                    (name, v, v, mark_safe(" checked") if str(v) in selected else "", v, day_name, time)
                    for v, day_name in ((d * 24 + hour, n) for d, n in enumerate(self.day_names))
                ),
            )
            rows.append(format_html('<tr><th scope="row">{}</th>{}</tr>', time, cells))
        return format_html(
            '<div class="availability-grid" id="{}" data-availability-grid'
            ' data-say-range="{}" data-say-ticked="{}" data-say-unticked="{}" data-say-copied="{}">'
            '<p class="helptext" id="{}_help">{}</p>'
            '<p class="helptext" id="{}_keys" hidden>{}</p>'
            '<div class="grid-scroll"><table class="availability" aria-describedby="{}"{}>'
            '<caption class="visually-hidden">{}</caption>'
            '<thead><tr><th scope="col"><span class="visually-hidden">{}</span></th>{}</tr></thead>'
            "<tbody>{}</tbody></table></div>"
            '<p class="grid-tools" hidden>'
            '<button type="button" class="button-small" data-grid-copy>{}</button></p>'
            '<p class="visually-hidden" role="status" data-grid-status></p></div>',
            base_id,
            _("Chosen: %(start)s to %(end)s. Press the space bar to tick or untick them all."),
            _("Ticked: %(start)s to %(end)s."),
            _("Unticked: %(start)s to %(end)s."),
            _("Monday's hours copied to Tuesday, Wednesday, Thursday and Friday."),
            base_id,
            _("Tick every hour you could meet, every week. Each box is one hour starting at the time shown."),
            base_id,
            _(
                "Move with the arrow keys and tick with the space bar. "
                "To choose several hours at once, hold Shift while you use the arrows."
            ),
            describedby,
            mark_safe(' aria-invalid="true"') if final.get("aria-invalid") else "",
            _("Weekly availability"),
            _("Hour"),
            head,
            mark_safe("".join(rows)),  # noqa: S308 - each row is format_html output
            _("Copy Monday to Tuesday–Friday"),
        )

    def id_for_label(self, id_: str, index: str | None = None) -> str:
        # The error summary links to the grid's wrapper, which carries the field's id.
        return id_


# Continents and oceans as IANA names them; zones under other prefixes ("US/Eastern") keep them.
_TZ_AREAS = frozenset(
    {
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    }
)


def _offset_text(offset: timedelta) -> str:
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, rest = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "") if minutes else "UTC"


def timezone_labels(names: Iterable[str], *, at: datetime | None = None) -> dict[str, str]:
    """IANA ids as people read them: "Europe/Madrid" → "Madrid (CET)", "America/Bogota" →
    "Bogota (UTC−5)" (no letters for that zone), at the moment `at` (now by default, so the label
    follows daylight saving). A city that two ids share keeps the whole id to tell them apart."""
    names = list(names)
    moment = at or datetime.now(UTC)
    cities = Counter(n.rsplit("/", 1)[-1] for n in names)
    labels = {}
    for name in names:
        city = name.rsplit("/", 1)[-1]
        place = city if cities[city] == 1 and name.split("/", 1)[0] in _TZ_AREAS else name.replace("/", " / ")
        try:
            local = moment.astimezone(zoneinfo.ZoneInfo(name))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            labels[name] = name.replace("_", " ")
            continue
        abbreviation = local.tzname() or ""
        if not abbreviation or abbreviation[0] in "+-" or abbreviation == "UTC":
            abbreviation = _offset_text(local.utcoffset() or timedelta(0))
        labels[name] = (
            place.replace("_", " ") if place == "UTC" else f"{place.replace('_', ' ')} ({abbreviation})"
        )
    return labels


class TimeZoneSelect(FastSelect):
    """A time-zone <select> whose options read "Madrid (CET)", sorted by that label, while the value
    submitted stays the IANA id ("Europe/Madrid")."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        choices = list(self.choices)
        labels = timezone_labels(str(v) for v, _label in choices if v)
        relabelled = [(v, labels.get(str(v), label)) for v, label in choices]
        self.choices = sorted(relabelled, key=lambda c: (bool(c[0]), str(c[1]).casefold()))
        try:
            return super().render(name, value, attrs, renderer)
        finally:
            self.choices = choices
