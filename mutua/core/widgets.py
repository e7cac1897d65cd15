"""A <select> rendered in Python. Django renders each <option> through a template include, which
made the directory's filter form a third of its response time (bench/directory.py); the HTML here is
the same, escaped with format_html."""

from collections.abc import Iterable, Sequence
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
