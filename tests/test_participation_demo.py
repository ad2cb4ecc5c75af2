"""The participation demo: residents, proposals in every state, a town hall with minutes."""

import pytest
from django.core.management import call_command
from django.test import Client

from bridgework.participation.choices import Moderation, ProposalStatus
from bridgework.participation.models import Proposal, ResidentProfile, TownHall

pytestmark = pytest.mark.django_db


def test_the_demo_has_every_state_loads_twice_the_same_and_reads_in_public():
    call_command("load_demo", verbosity=0)
    counts = (Proposal.objects.count(), TownHall.objects.count(), ResidentProfile.objects.count())
    call_command("load_demo", verbosity=0)
    assert (
        Proposal.objects.count(),
        TownHall.objects.count(),
        ResidentProfile.objects.count(),
    ) == counts
    states = set(Proposal.objects.values_list("status", flat=True))
    assert states == set(ProposalStatus.values)
    assert Proposal.objects.filter(moderation=Moderation.HIDDEN).exists()
    held = TownHall.objects.exclude(minutes="").get()
    assert held.attendance_count and held.proposals.exists()
    assert all(p.public_name.endswith("(demo)") for p in ResidentProfile.objects.all())
    chilinde = Proposal.objects.filter(place__name="Chilinde").first()
    page = Client().get(chilinde.get_public_url())
    assert page.status_code == 200 and "@demo.bridgework.test" not in page.content.decode()
