"""django-ninja names each schema in the OpenAPI document by its class name: two classes with one name
silently share one entry, and responses of one are then checked against the other. Every schema class
used by the API has a name of its own."""

from collections import defaultdict

from ninja import Schema

from mutua.api.api import api


def _schema_classes() -> list[type[Schema]]:
    seen: list[type[Schema]] = []
    stack = list(Schema.__subclasses__())
    while stack:
        cls = stack.pop()
        seen.append(cls)
        stack.extend(cls.__subclasses__())
    return [cls for cls in seen if cls.__module__.startswith("mutua.")]


def test_no_two_api_schemas_share_a_name():
    api.get_openapi_schema()  # imports every router
    by_name: dict[str, set[str]] = defaultdict(set)
    for cls in _schema_classes():
        by_name[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    clashes = {name: paths for name, paths in by_name.items() if len(paths) > 1}
    assert clashes == {}
