"""The bodies demo: the report's examples, fictional, idempotent, with overdue actions."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from bridgework.access.models import User
from bridgework.bodies import selectors
from bridgework.bodies.demo import load_bodies
from bridgework.bodies.models import ActionItem, Body, Meeting, Seat

pytestmark = pytest.mark.django_db


def test_bodies_demo_loads_twice_to_the_same_state():
    call_command("load_demo")
    bodies = load_bodies()
    counts = (
        Body.objects.count(),
        Seat.objects.count(),
        Meeting.objects.count(),
        ActionItem.objects.count(),
    )
    load_bodies()
    assert (
        Body.objects.count(),
        Seat.objects.count(),
        Meeting.objects.count(),
        ActionItem.objects.count(),
    ) == counts
    assert all(body.is_demo and body.name.endswith("(demo)") for body in bodies)

    board = Body.objects.get(name="National CVE Coordination Board (demo)")
    assert board.children.filter(name="Inter-institutional Technical Group (demo)").exists()
    assert Body.objects.get(name="Lilongwe District Peace Committee (demo)").place.code == "MW-LI"
    table = Body.objects.get(name="Peel Community Leaders' Table (demo)")
    leaders = table.seats.filter(person__isnull=False)
    assert leaders.count() == 26  # 25 community seats and Peel's coordinator (response demo)
    assert leaders.exclude(constituency="").count() == 25
    assert ActionItem.objects.overdue_on(timezone.localdate()).count() >= 3
    assert Meeting.objects.filter(starts_at__gt=timezone.now()).count() >= 5


def test_demo_users_see_their_own_actions():
    call_command("load_demo")
    load_bodies()
    today = timezone.localdate()
    local = User.objects.get(email="local.lilongwe@demo.bridgework.test")
    titles = {item.title for item in selectors.action_items_of_user(local, today)}
    assert titles == {"Report on the Mtandire mediation team"}
    partner = User.objects.get(email="partner.peel@demo.bridgework.test")
    assert any(item.is_overdue_on(today) for item in selectors.action_items_of_user(partner, today))
    # Peel's table seats faith, youth and women's communities: none of them is missing.
    table = Body.objects.get(name="Peel Community Leaders' Table (demo)")
    missing = selectors.missing_sectors(selectors.current_seats(table, partner, today))
    assert not {"Faith-based", "Youth", "Women's groups", "Civil society"} & set(missing)
    assert "Health" in missing
