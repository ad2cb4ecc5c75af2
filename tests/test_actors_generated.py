"""Generated page and API tests for organisations, people and posts."""

import pytest

from bridgework.actors.choices import OrgLevel, Sector
from bridgework.actors.factories import OrganisationFactory, PersonFactory, PostFactory
from bridgework.actors.models import Organisation, Person, Post
from bridgework.actors.views import OrganisationViewSet, PersonViewSet, PostViewSet
from bridgework.web.testing import ScopedApiTests, ScopedViewTests


class OrganisationRecords:
    model = Organisation

    def make_record(self, place, **fields):
        return OrganisationFactory(place=place, sector=Sector.CIVIL_SOCIETY, **fields)

    def form_data(self, place):
        return {
            "name": "Riverside Youth Forum",
            "sector": Sector.YOUTH,
            "level": OrgLevel.LOCAL,
            "place": place.pk,
            "tlp": 1,
            "areas_text": "",
        }


class TestOrganisationPages(OrganisationRecords, ScopedViewTests):
    viewset = OrganisationViewSet


class TestOrganisationApi(OrganisationRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_organisations"
    detail_url_name = "api-1.0.0:get_organisation"
    write_name = "organisation"


class PersonRecords:
    model = Person

    def make_record(self, place, **fields):
        return PersonFactory(place=place, **fields)

    def form_data(self, place):
        return {
            "full_name": "Ada Example",
            "place": place.pk,
            "tlp": 1,
            "email": "ada@example.org",
            "phone": "",
            "notes": "",
        }


class TestPersonPages(PersonRecords, ScopedViewTests):
    viewset = PersonViewSet


class TestPersonApi(PersonRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_people"
    detail_url_name = "api-1.0.0:get_person"
    write_name = "person"


class PostRecords:
    """A post lives at its organisation's place: records and form data follow that rule."""

    model = Post

    @pytest.fixture(autouse=True)
    def _people(self, db):
        self.orgs = {}

    def org_at(self, place):
        if place.pk not in self.orgs:
            self.orgs[place.pk] = OrganisationFactory(place=place, sector=Sector.CIVIL_SOCIETY)
        return self.orgs[place.pk]

    def make_record(self, place, **fields):
        return PostFactory(
            person=PersonFactory(place=place),
            organisation=self.org_at(place),
            title="Member",
            **fields,
        )

    def form_data(self, place):
        person = PersonFactory(place=self.tree.city)
        return {
            "person": person.pk,
            "organisation": self.org_at(place).pk,
            "title": "Chair",
            "starts_on": "2024-01-01",
            "ends_on": "",
        }


class TestPostPages(PostRecords, ScopedViewTests):
    viewset = PostViewSet


class TestPostApi(PostRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_posts"
    detail_url_name = "api-1.0.0:get_post"
    write_name = "post"
