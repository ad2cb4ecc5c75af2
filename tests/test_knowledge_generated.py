"""Generated page, API and workflow tests for the knowledge hub's scoped model."""

from bridgework.knowledge.factories import KnowledgeItemFactory
from bridgework.knowledge.models import KnowledgeItem
from bridgework.knowledge.views import KnowledgeItemViewSet
from bridgework.knowledge.workflows import ITEM
from bridgework.web.testing import ScopedApiTests, ScopedViewTests, WorkflowTests


class KnowledgeItemRecords:
    model = KnowledgeItem

    def make_record(self, place, **fields):
        return KnowledgeItemFactory(place=place, **fields)

    def form_data(self, place):
        return {
            "kind": "practice",
            "title": "Mentoring circles in secondary schools",
            "summary": "Police officers and teachers mentor pupils at risk of exclusion.",
            "body": "## What was done\n\nWeekly circles in two schools.",
            "place": place.pk,
            "evidence": "documented",
            "language": "en",
            "tlp": 1,
        }


class TestKnowledgeItemPages(KnowledgeItemRecords, ScopedViewTests):
    viewset = KnowledgeItemViewSet


class TestKnowledgeItemApi(KnowledgeItemRecords, ScopedApiTests):
    list_url_name = "api-1.0.0:list_knowledge_items"
    detail_url_name = "api-1.0.0:get_knowledge_item"
    write_name = "knowledge_item"


class TestKnowledgeItemWorkflow(WorkflowTests):
    workflow = ITEM

    def make_record(self, place, state):
        return KnowledgeItemFactory(place=place, status=state)
