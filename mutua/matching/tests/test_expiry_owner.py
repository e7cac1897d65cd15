"""Proposal expiry belongs to the periodic task (decision 17): a person's answer never closes offers
(it used to sweep every expired offer of the site), and an answer after the deadline is refused even
before the task has closed that offer."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from mutua.core.errors import DomainError
from mutua.matching import services
from mutua.matching.models import GroupOffer, OfferStatus, Proposal, ProposalStatus
from mutua.matching.tests.test_matching_flow import accept, register, start_run


@pytest.fixture
def offers(db, make_user, django_capture_on_commit_callbacks):
    """The offer a run made to six people, and a second offer, to a seventh person, past its deadline."""
    call_command("load_content", verbosity=0)
    people = [make_user() for _ in range(6)]
    for p in people:
        register(p)
    start_run(make_user(is_staff=True), django_capture_on_commit_callbacks)
    offer = GroupOffer.objects.get()
    stale = GroupOffer.objects.create(
        run=offer.run,
        kind=offer.kind,
        experience=offer.experience,
        language=offer.language,
        slot_utc=offer.slot_utc,
        reference_monday=offer.reference_monday,
        deadline=timezone.now() - timedelta(minutes=1),
    )
    Proposal.objects.create(offer=stale, user=make_user())
    return people, offer, stale


def test_an_answer_leaves_other_stale_offers_to_the_periodic_task(offers):
    people, offer, stale = offers
    accept(people[0], offer)  # a person's request
    stale.refresh_from_db()
    assert stale.status == OfferStatus.OPEN  # not this request's business
    services.proposals_tick()
    stale.refresh_from_db()
    assert stale.status == OfferStatus.LAPSED
    assert not Proposal.objects.filter(offer=stale, status=ProposalStatus.PENDING).exists()


def test_an_answer_after_the_deadline_is_refused_before_the_periodic_task_closes_the_offer(offers):
    people, offer, _ = offers
    GroupOffer.objects.filter(pk=offer.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    with pytest.raises(DomainError, match="closed"):
        accept(people[0], offer)
    assert Proposal.objects.get(offer=offer, user=people[0]).status == ProposalStatus.PENDING
    services.proposals_tick()
    assert Proposal.objects.get(offer=offer, user=people[0]).status == ProposalStatus.LAPSED
    with pytest.raises(DomainError, match="closed"):
        accept(people[0], offer)
