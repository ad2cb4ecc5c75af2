"""Generated page, API and workflow tests for the participation module's scoped models."""

from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.bodies.factories import BodyFactory
from bridgework.participation.factories import (
    ProposalFactory,
    SupportThresholdFactory,
    TownHallFactory,
)
from bridgework.participation.models import Proposal, SupportThreshold, TownHall
from bridgework.participation.views import (
    ProposalViewSet,
    SupportThresholdViewSet,
    TownHallViewSet,
)
from bridgework.participation.workflows import PROPOSAL
from bridgework.web.testing import ScopedApiTests, ScopedViewTests, WorkflowTests


class ProposalRecords:
    model = Proposal

    def make_record(self, place, **fields):
        return ProposalFactory(place=place, **fields)

    def form_data(self, place):
        return {
            "kind": "proposal",
            "title": "Street lights on the market path",
            "body": "The path from the market to the school is dark after six.",
            "place": place.pk,
        }


class TestProposalPages(ProposalRecords, ScopedViewTests):
    viewset = ProposalViewSet


class TestProposalApi(ProposalRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_proposals"
    detail_url_name = "api-1.0.0:get_proposal"
    write_name = "proposal"


class ThresholdRecords:
    model = SupportThreshold

    def make_record(self, place, **fields):
        return SupportThresholdFactory(place=place, **fields)

    def form_data(self, place):
        return {"place": place.pk, "supports": 40, "note": "Agreed by the ward committee"}


class TestSupportThresholdPages(ThresholdRecords, ScopedViewTests):
    viewset = SupportThresholdViewSet


class TestSupportThresholdApi(ThresholdRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_support_thresholds"
    detail_url_name = "api-1.0.0:get_support_threshold"
    write_name = "support_threshold"


class TestProposalWorkflow(WorkflowTests):
    """``withdraw`` is its author's step: the resident taking it is made the author of the
    records the test makes next (the step's condition), so the generated checks run on it too."""

    workflow = PROPOSAL
    author = None

    def allowed_user(self, transition):
        if transition.name != "withdraw":
            self.author = None
            return super().allowed_user(transition)
        self.author = UserFactory.create(label="author")
        RoleAssignmentFactory.create(user=self.author, role="resident", place=self.tree.city)
        return self.author

    def make_record(self, place, state):
        author = self.author or UserFactory.create(label="author")
        return ProposalFactory(place=place, status=state, author=author)


class TownHallRecords:
    model = TownHall

    def make_record(self, place, **fields):
        return TownHallFactory(body=BodyFactory(place=place), **fields)

    def form_data(self, place):
        return {
            "body": BodyFactory(place=place).pk,
            "title": "Chilinde town hall on safe streets",
            "starts_at": "2027-02-10T17:00",
            "ends_at": "2027-02-10T19:00",
            "location": "Chilinde Community Hall",
            "capacity": 120,
            "agenda": "1. Street lights\n2. Youth football",
            "minutes": "",
            "attendance_count": "",
        }


class TestTownHallPages(TownHallRecords, ScopedViewTests):
    viewset = TownHallViewSet


class TestTownHallApi(TownHallRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_town_halls"
    detail_url_name = "api-1.0.0:get_town_hall"
    write_name = "town_hall"
