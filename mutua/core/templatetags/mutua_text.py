"""Small text filters for templates."""

from django import template

register = template.Library()


@register.filter
def label_text(value: object) -> str:
    """A form label without its closing punctuation, to be followed by more text ("…group: Please
    confirm…" rather than "…group.: Please confirm…"). Question and exclamation marks stay."""
    return str(value).rstrip().rstrip(".:;,…").rstrip()
