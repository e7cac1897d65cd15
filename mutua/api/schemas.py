"""Schemas every part of the API shares (one definition each: django-ninja names a schema in the
OpenAPI document by its class name, so two classes with one name would collide)."""

from ninja import Schema


class Message(Schema):
    """An error or a confirmation, in the person's language."""

    detail: str
