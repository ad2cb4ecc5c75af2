"""Generated page and API tests for every scoped model of the foundation."""

from datetime import date

import pytest

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.access.models import Role, RoleAssignment
from bridgework.access.views import RoleAssignmentViewSet
from bridgework.places.factories import PlaceFactory
from bridgework.places.models import Network, NetworkMembership, Place
from bridgework.places.views import NetworkMembershipViewSet, PlaceViewSet
from bridgework.web.testing import ScopedApiTests, ScopedViewTests
from tests.testapp.models import Dossier
from tests.testapp.views import DossierViewSet


class PlaceRecords:
    model = Place
    place_field = "parent"

    def make_record(self, place, **fields):
        return PlaceFactory(parent=place, **fields)

    def form_data(self, place):
        return {"name": "Riverside", "parent": place.pk, "code": "", "pcode": ""}


class TestPlacePages(PlaceRecords, ScopedViewTests):
    viewset = PlaceViewSet


class TestPlaceApi(PlaceRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_places"
    detail_url_name = "api-1.0.0:get_place"


class MembershipRecords:
    model = NetworkMembership

    @pytest.fixture(autouse=True)
    def _network(self, db):
        self.network = Network.objects.create(name="Test network", slug="test-network")

    def make_record(self, place, **fields):
        return NetworkMembership.objects.create(
            network=self.network, place=place, joined_on=date(2024, 1, 1), **fields
        )

    def form_data(self, place):
        return {"network": self.network.pk, "place": place.pk, "joined_on": "2024-02-01"}


class TestMembershipPages(MembershipRecords, ScopedViewTests):
    viewset = NetworkMembershipViewSet


class TestMembershipApi(MembershipRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_memberships"
    detail_url_name = "api-1.0.0:get_membership"


class AssignmentRecords:
    model = RoleAssignment

    def make_record(self, place, **fields):
        return RoleAssignmentFactory(
            user=UserFactory(label="holder"), role="partner", place=place, **fields
        )

    def form_data(self, place):
        return {
            "email": "new.partner@example.test",
            "full_name": "New Partner",
            "role": Role.objects.get(slug="partner").pk,
            "place": place.pk,
        }


class TestAssignmentPages(AssignmentRecords, ScopedViewTests):
    viewset = RoleAssignmentViewSet


class TestAssignmentApi(AssignmentRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_assignments"
    detail_url_name = "api-1.0.0:get_assignment"


class DossierRecords:
    """A TLP-labelled test model: exercises the ceiling and the read log."""

    model = Dossier

    def make_record(self, place, **fields):
        fields.setdefault("title", f"Dossier {Dossier.objects.count()}")
        return Dossier.objects.create(place=place, **fields)

    def form_data(self, place):
        return {"title": "Tension report", "place": place.pk, "tlp": 1}


class TestDossierPages(DossierRecords, ScopedViewTests):
    viewset = DossierViewSet


class TestDossierApi(DossierRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_dossiers"
    detail_url_name = "api-1.0.0:get_dossier"
