"""A <select> rendered in Python. Django renders each <option> through a template include, which
made the directory's filter form a third of its response time (bench/directory.py); the HTML here is
the same, escaped with format_html."""

from typing import Any

from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


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
