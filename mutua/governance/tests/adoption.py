"""Adopt a set of the group's own agreements as a passed AGREEMENTS proposal does (test helper)."""

from django.utils import timezone

from mutua.circles.models import Circle
from mutua.governance.models import AgreementsDraft, OwnAgreement


def adopt(circle: Circle, items: list[dict[str, str]]) -> Circle:
    circle.refresh_from_db()
    version = circle.agreements_version + 1
    OwnAgreement.objects.bulk_create(
        [OwnAgreement(circle=circle, version=version, order=n, **item) for n, item in enumerate(items)]
    )
    Circle.objects.filter(pk=circle.pk).update(
        agreements_version=version, agreements_adopted_at=timezone.now()
    )
    AgreementsDraft.objects.filter(circle=circle).delete()
    circle.refresh_from_db()
    return circle
