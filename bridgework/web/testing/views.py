"""The generated page and API tests."""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Any, ClassVar

import pytest
from auditlog.models import LogEntry
from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.middleware.csrf import get_token
from django.test import Client, RequestFactory
from django.test.client import MULTIPART_CONTENT
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bridgework.access.actions import do_create_api_token
from bridgework.access.factories import RoleAssignmentFactory, UserFactory
from bridgework.access.models import PolicyRule, Role, SensitiveRead
from bridgework.core.scoping import ScopedQuerySet
from bridgework.core.tlp import TLP
from bridgework.places.models import Place
from bridgework.web.api import FORM_ENDPOINTS

from .registry import COVERED_URLS, TESTED_MODELS
from .tree import StandardTree, build_tree

__all__ = ["BrowserClient", "ScopedApiTests", "ScopedViewTests"]


# model label -> a test class whose make_record(place) makes one (see hidden_records)
RECORD_MAKERS: dict[str, type] = {}
NAME_FIELDS = ("name", "full_name", "title", "text")


def _rename(record: Model, marker: str) -> None:
    """Give ``record`` (or, for a part named after its parent, that parent) a unique name."""
    names = {f.name for f in record._meta.concrete_fields}
    field = next((n for n in NAME_FIELDS if n in names), None)
    if field is not None:
        type(record)._default_manager.filter(pk=record.pk).update(**{field: marker})
        return
    parent = getattr(record, getattr(record, "scope_parent_field", "") or "", None)
    if parent is not None:
        _rename(parent, marker)


def _body_text(response) -> str:
    """A response's text; an XLSX export's cell values (the zip would hide any name)."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":
        import io

        from openpyxl import load_workbook

        sheet = load_workbook(io.BytesIO(content), read_only=True).worksheets[0]
        return "\n".join(str(cell) for row in sheet.iter_rows(values_only=True) for cell in row)
    return content.decode("utf-8", errors="replace")


def _entries(obj: Model) -> list[LogEntry]:
    return list(
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(type(obj)), object_pk=str(obj.pk)
        ).order_by("timestamp", "pk")
    )


@dataclass(frozen=True)
class HiddenCase:
    """A record whose foreign key ``field`` points at a record the reader cannot see (hidden
    by ``how``: "place" or "label"), renamed to ``marker``."""

    field: str
    how: str
    record: Model
    marker: str


def _import_test_package(module_name: str) -> None:
    """Import every ``test_*`` module of the package ``module_name`` belongs to."""
    package_name = module_name.rpartition(".")[0]
    if not package_name:
        return
    package = importlib.import_module(package_name)
    for module in pkgutil.walk_packages(package.__path__, prefix=f"{package_name}."):
        if module.name.rpartition(".")[2].startswith("test_"):
            importlib.import_module(module.name)


def _raise_governing_label(record: Model, label: int) -> None:
    """Give the record that governs ``record``'s sight (itself, or the labelled record it is
    part of: a seat's body, an update's action item) the TLP ``label``."""
    while not getattr(record, "scope_tlp_field", None):
        record = getattr(record, record.scope_parent_field)  # type: ignore[attr-defined]
    type(record)._default_manager.filter(pk=record.pk).update(**{record.scope_tlp_field: label})  # type: ignore[attr-defined]


def _point_at(record: Model, field: Any, target: Model) -> bool:
    """Point ``record``'s foreign key ``field`` at ``target``, and note the change in its audit
    history. A check may forbid it as it stands (a seat has exactly one holder): then another
    nullable foreign key of the record is emptied with it, one after another, until the
    database accepts. False when no variant is accepted."""
    manager = type(record)._default_manager
    before = manager.filter(pk=record.pk).values_list(field.attname, flat=True).get()
    siblings = [
        other
        for other in record._meta.concrete_fields
        if other.is_relation
        and other.null
        and other.name != field.name
        and getattr(record, other.attname) is not None
    ]
    for emptied in [None, *siblings]:
        change = {field.attname: target.pk}
        if emptied is not None:
            change[emptied.attname] = None
        try:
            with transaction.atomic():
                manager.filter(pk=record.pk).update(**change)
        except IntegrityError:
            continue
        LogEntry.objects.create(
            content_type=ContentType.objects.get_for_model(type(record)),
            object_pk=str(record.pk),
            object_id=record.pk,
            object_repr=str(record.pk),
            action=LogEntry.Action.UPDATE,
            changes={field.name: [str(before), str(target.pk)]},
        )
        return True
    return False


class BrowserClient(Client):
    """A test client that enforces CSRF checks and sends the token as a browser does: the
    CSRF cookie the site set (one is set on the first write when no page was read yet), sent
    back in the form's ``csrfmiddlewaretoken`` field, or in the ``X-CSRFToken`` header for any
    other body (the API, htmx) — as Django documents for JavaScript clients."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs["enforce_csrf_checks"] = True
        super().__init__(*args, **kwargs)

    def csrf_token(self) -> str:
        cookie = self.cookies.get(settings.CSRF_COOKIE_NAME)
        if cookie is None or not cookie.value:
            self.cookies[settings.CSRF_COOKIE_NAME] = get_token(RequestFactory().get("/"))
            cookie = self.cookies[settings.CSRF_COOKIE_NAME]
        return cookie.value

    def post(self, path, data=None, content_type=MULTIPART_CONTENT, *args, **kwargs):
        if content_type == MULTIPART_CONTENT and (data is None or isinstance(data, dict)):
            data = {**(data or {}), "csrfmiddlewaretoken": self.csrf_token()}
        return super().post(path, data, content_type, *args, **kwargs)

    def generic(
        self,
        method,
        path,
        data="",
        content_type="application/octet-stream",
        secure=False,
        *,
        headers=None,
        **extra,
    ):
        if method.upper() not in {"GET", "HEAD", "OPTIONS", "TRACE"} and not str(
            content_type
        ).startswith("multipart/form-data"):
            headers = {"X-CSRFToken": self.csrf_token(), **(headers or {})}
        return super().generic(method, path, data, content_type, secure, headers=headers, **extra)


class _ScopedBase:
    model: ClassVar[type[Model]]
    role: ClassVar[str] = "national_coordinator"
    place_field: ClassVar[str] = "place"
    # What the delete page's form takes (a withdrawal's reason), when it takes anything.
    delete_data: ClassVar[dict[str, str]] = {}

    tree: StandardTree

    @pytest.fixture(autouse=True)
    def _standard_tree(self, db):
        self.tree = build_tree(self.role)

    def make_record(self, place: Place, **fields) -> Model:
        """Create a record that lives at (or directly under) ``place``."""
        raise NotImplementedError

    def client_for(self, user=None) -> Client:
        client = BrowserClient()
        if user is not None:
            client.force_login(user)
        return client

    @property
    def has_tlp(self) -> bool:
        return getattr(self.model, "scope_tlp_field", None) is not None

    # --- related records out of the reader's sight --------------------------------------------

    def named_foreign_keys(self) -> list[Any]:
        """The foreign keys of the model to other place-scoped records that its pages could
        name: all but the place itself and the parent that decides its visibility."""
        parent = getattr(self.model, "scope_parent_field", None)
        return [
            field
            for field in self.model._meta.concrete_fields
            if field.is_relation
            and field.name not in {"place", parent}
            and isinstance(field.related_model, type)
            and isinstance(field.related_model._default_manager.all(), ScopedQuerySet)
        ]

    def _record_maker(self, model: type[Model]) -> Any:
        """A test class that says how to make a ``model`` record at a place (its generated
        tests' ``make_record``). The classes register as their modules are imported: the
        test package of this class is imported whole when one is missing."""
        label = model._meta.label_lower
        if label not in RECORD_MAKERS:
            _import_test_package(type(self).__module__)
        maker_class = RECORD_MAKERS.get(label)
        if maker_class is None:
            return None
        # Only the standard tree is set up: a maker needing a fixture of its own fails here.
        maker: Any = object.__new__(maker_class)
        maker.tree = self.tree
        return maker

    def hidden_records(self, model: type[Model]) -> list[tuple[str, Model, str]]:
        """Records of ``model`` the user in scope cannot see, each renamed to a unique marker,
        as ``(how, record, marker)``: one in the sibling city (out of their places) and, when
        the model carries a label or is part of a record that does, one in their own city
        above their TLP ceiling (RED). Empty when no test class says how to make one."""
        maker = self._record_maker(model)
        if maker is None:
            return []
        hidden = [("place", maker.make_record(self.tree.sibling))]
        if getattr(model, "scope_tlp_field", None):
            hidden.append(("label", maker.make_record(self.tree.city, tlp=TLP.RED)))
        elif getattr(model, "scope_parent_field", None):
            record = maker.make_record(self.tree.city)
            _raise_governing_label(record, TLP.RED)
            hidden.append(("label", record))
        out = []
        for how, record in hidden:
            marker = f"SECRET-{model._meta.model_name}-{record.pk}-hidden-by-{how}"
            _rename(record, marker)
            out.append((how, record, marker))
        return out

    def hidden_cases(self) -> list[HiddenCase]:
        """For every named foreign key and every way of hiding its target (place, label): a
        record of this model in the reader's city pointing at a record they cannot see (as
        data written by someone who may see both would), the change in its audit history.

        Fails when a foreign key yields no case: a model's pages cannot skip the check."""
        planned, missing = [], []
        for field in self.named_foreign_keys():
            hidden = self.hidden_records(field.related_model)
            if not hidden:
                missing.append(f"{field.name}: no generated tests make a {field.related_model}")
            for how, target, marker in hidden:
                planned.append((field, how, target, marker, self.make_record(self.tree.city)))
        cases = []
        # Pointed only once every record is made (a place re-parented in the data would
        # confuse the next one's path).
        for field, how, target, marker, record in planned:
            if _point_at(record, field, target):
                cases.append(HiddenCase(field.name, how, record, marker))
            else:
                missing.append(f"{field.name} ({how}): the database refused every variant")
        assert not missing, f"foreign keys of {self.model} without a case: {missing}"
        assert {c.field for c in cases} == {f.name for f in self.named_foreign_keys()}
        return cases

    def assert_saved_as_submitted(
        self, record: Model, data: dict[str, Any], form_class: Any = None
    ) -> None:
        """Every submitted field reads back the same through the record's own edit form."""
        form_class = form_class or self.viewset.form_class  # type: ignore[attr-defined]
        form = form_class(instance=record, user=self.tree.in_scope, action="change")
        for name, submitted in data.items():
            if name not in form.fields or form.fields[name].disabled:
                continue
            field = form.fields[name]
            expected = field.clean(submitted)
            saved = field.clean(form[name].value())
            if isinstance(expected, list | tuple) or hasattr(expected, "model"):
                expected, saved = sorted(map(str, expected)), sorted(map(str, saved))
            assert saved == expected, f"{name}: submitted {submitted!r}, saved {saved!r}"

    def user_without(self, action: str):
        """Someone at the city whose role is the role under test less ``action`` on this
        model: the one thing that should stop them is that missing action."""
        base = Role.objects.get(slug=self.role)
        label = self.model._meta.label_lower
        slug = f"{base.slug}-without-{action}".replace("_", "-")
        existing = Role.objects.filter(slug=slug).first()
        if existing is not None:  # two pages need the same action (edit and answer: change)
            user = UserFactory.create(label=f"without-{action}")
            RoleAssignmentFactory.create(user=user, role=existing, place=self.tree.city)
            return user
        role = Role.objects.create(
            slug=slug,
            name=f"{base.name} without {action}",
            rank=base.rank,
            tlp_ceiling=base.tlp_ceiling,
        )
        every_label = {m._meta.label_lower for m in apps.get_models()}
        rules = []
        for action_, model_label in base.rules.values_list("action", "model_label"):
            if action_ != action:
                rules.append((action_, model_label))
            elif model_label == "*":  # a wildcard: every other model keeps it
                rules += [(action_, other) for other in every_label - {label}]
            elif model_label != label:
                rules.append((action_, model_label))
        PolicyRule.objects.bulk_create(
            [PolicyRule(role=role, action=a, model_label=m) for a, m in set(rules)]
        )
        user = UserFactory.create(label=f"without-{action}")
        RoleAssignmentFactory.create(user=user, role=role, place=self.tree.city)
        return user


class ScopedViewTests(_ScopedBase):
    """Standard page tests for one :class:`~bridgework.web.viewsets.ModelViewSet`."""

    viewset: ClassVar[Any]

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if getattr(cls, "viewset", None) is not None:
            cls.model = cls.viewset.model
            TESTED_MODELS.add(cls.model._meta.label_lower)
            COVERED_URLS.update(cls.viewset.url_names().values())
            RECORD_MAKERS.setdefault(cls.model._meta.label_lower, cls)

    def test_related_records_out_of_sight_are_never_named(self):
        """Every foreign key to another scoped record: when it points at a record the reader
        cannot see (in another place, or above their label ceiling in their own), no page of
        this record (detail, history, edit form), list or export names it."""
        if not self.named_foreign_keys():
            pytest.skip("no foreign key to another scoped record")
        cases = self.hidden_cases()
        client = self.client_for(self.tree.in_scope)
        urls = []
        for case in cases:
            urls += [
                self.url(page, case.record)
                for page in ("detail", "history", "edit")
                if self.has(page)
            ]
        if self.has("list"):
            urls.append(self.url("list"))
            if self.has("export"):
                urls += [self.url("list") + "?format=csv", self.url("list") + "?format=xlsx"]
        for url in urls:
            response = client.get(url)
            if response.status_code == 403:  # the role may not export (or change)
                continue
            assert response.status_code == 200, (url, response.status_code)
            body = _body_text(response)
            for case in cases:
                assert case.marker not in body, (
                    f"{url} names a record the reader cannot see ({case.field}, by {case.how})"
                )

    def form_data(self, place: Place) -> dict[str, Any]:
        """Valid form data for a record at ``place``."""
        raise NotImplementedError

    def url(self, page: str, obj: Model | None = None) -> str:
        name = self.viewset.url_names()[page]
        return reverse(name, args=[obj.pk]) if obj is not None else reverse(name)

    def has(self, page: str) -> bool:
        return page in self.viewset.pages

    def listed_pks(self, response) -> set[int]:
        return {obj.pk for obj, _cells in response.context["rows"]}

    # --- anonymous and no role ---------------------------------------------------------------

    def test_anonymous_is_sent_to_sign_in(self):
        record = self.make_record(self.tree.city)
        client = self.client_for()
        for page in ("list", "detail", "add", "edit", "delete", "history"):
            if self.has(page):
                url = self.url(page, record if page not in {"list", "add"} else None)
                response = client.get(url)
                assert response.status_code == 302, page
                assert reverse("login") in response["Location"]

    def test_no_role_sees_nothing(self):
        record = self.make_record(self.tree.city)
        client = self.client_for(self.tree.no_role)
        if self.has("list"):
            response = client.get(self.url("list"))
            assert response.status_code == 200
            assert record.pk not in self.listed_pks(response)
        assert client.get(self.url("detail", record)).status_code == 404
        if self.has("add"):
            assert client.get(self.url("add")).status_code == 403

    # --- reading across the tree -------------------------------------------------------------

    def test_in_scope_descendant_and_ancestor_can_read(self):
        own = self.make_record(self.tree.city)
        below = self.make_record(self.tree.ward)
        for user, record in [
            (self.tree.in_scope, own),
            (self.tree.in_scope, below),
            (self.tree.ancestor, own),
        ]:
            response = self.client_for(user).get(self.url("detail", record))
            assert response.status_code == 200, (user, record)

    def test_sibling_gets_404(self):
        record = self.make_record(self.tree.sibling)
        client = self.client_for(self.tree.in_scope)
        for page in ("detail", "edit", "delete", "history"):
            if self.has(page):
                assert client.get(self.url(page, record)).status_code == 404, page

    def test_list_holds_own_and_descendant_rows_only(self):
        if not self.has("list"):
            pytest.skip("no list page")
        own = self.make_record(self.tree.city)
        below = self.make_record(self.tree.ward)
        theirs = self.make_record(self.tree.sibling)
        elsewhere = self.make_record(self.tree.other_country)
        response = self.client_for(self.tree.in_scope).get(self.url("list"))
        listed = self.listed_pks(response)
        assert {own.pk, below.pk} <= listed
        assert not {theirs.pk, elsewhere.pk} & listed

    def test_export_holds_the_same_rows(self):
        if not self.has("export") or not self.has("list"):
            pytest.skip("no export")
        self.make_record(self.tree.city)
        theirs = self.make_record(self.tree.sibling)
        response = self.client_for(self.tree.in_scope).get(self.url("list") + "?format=csv")
        if response.status_code == 403:
            pytest.skip("this role may not export")
        assert response.status_code == 200
        body = response.getvalue().decode("utf-8-sig")  # a streamed CSV, with a BOM for Excel
        rows = body.strip().splitlines()
        assert len(rows) >= 2  # header and at least the own record
        their_first = str(self.viewset.columns[0].value(theirs))
        assert all(not row.startswith(their_first + ",") for row in rows[1:])

    # --- writes ------------------------------------------------------------------------------

    def test_create_in_scope_writes_one_audit_entry(self):
        if not self.has("add"):
            pytest.skip("no add page")
        before = set(self.model._default_manager.values_list("pk", flat=True))
        data = self.form_data(self.tree.city)
        response = self.client_for(self.tree.in_scope).post(self.url("add"), data)
        assert response.status_code == 302, response.context and response.context["form"].errors
        created = self.model._default_manager.exclude(pk__in=before)
        assert created.count() == 1
        self.assert_saved_as_submitted(created.get(), data)
        entries = _entries(created.get())
        assert len(entries) == 1
        assert entries[0].action == LogEntry.Action.CREATE
        assert entries[0].actor_id == self.tree.in_scope.pk

    def test_a_form_without_the_csrf_token_is_refused(self):
        """The generated tests send the CSRF token as a browser does; without it, a write is
        refused (the check is not switched off for the tests)."""
        if not self.has("add"):
            pytest.skip("no add page")
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.tree.in_scope)
        count = self.model._default_manager.count()
        response = client.post(self.url("add"), self.form_data(self.tree.city))
        assert response.status_code == 403
        assert self.model._default_manager.count() == count

    def test_create_outside_scope_is_refused(self):
        if not self.has("add"):
            pytest.skip("no add page")
        count = self.model._default_manager.count()
        response = self.client_for(self.tree.in_scope).post(
            self.url("add"), self.form_data(self.tree.sibling)
        )
        assert response.status_code in {400, 403}
        assert self.model._default_manager.count() == count

    def test_edit_in_scope_writes_one_audit_entry(self):
        if not self.has("edit"):
            pytest.skip("no edit page")
        record = self.make_record(self.tree.city)
        before = len(_entries(record))
        client = self.client_for(self.tree.in_scope)
        assert client.get(self.url("edit", record)).status_code == 200
        data = self.form_data(self.tree.ward)
        response = client.post(self.url("edit", record), data)
        assert response.status_code == 302, response.context and response.context["form"].errors
        record.refresh_from_db()
        self.assert_saved_as_submitted(record, data)
        entries = _entries(record)
        assert len(entries) == before + 1
        assert entries[-1].action == LogEntry.Action.UPDATE
        assert entries[-1].actor_id == self.tree.in_scope.pk

    def test_moving_out_of_scope_is_refused(self):
        if not self.has("edit"):
            pytest.skip("no edit page")
        record = self.make_record(self.tree.city)
        place_before = getattr(record, f"{self.place_field}_id")
        response = self.client_for(self.tree.in_scope).post(
            self.url("edit", record), self.form_data(self.tree.sibling)
        )
        assert response.status_code in {400, 403}
        record.refresh_from_db()
        assert getattr(record, f"{self.place_field}_id") == place_before

    def test_delete_in_scope_is_audited_and_sibling_is_404(self):
        if not self.has("delete"):
            pytest.skip("no delete page")
        record = self.make_record(self.tree.city)
        theirs = self.make_record(self.tree.sibling)
        client = self.client_for(self.tree.in_scope)
        assert client.get(self.url("delete", record)).status_code == 200
        response = client.post(self.url("delete", record), self.delete_data)
        assert response.status_code == 302
        assert not self.model._default_manager.filter(pk=record.pk).exists()
        last = _entries(record)[-1]
        assert last.action == LogEntry.Action.DELETE
        assert last.actor_id == self.tree.in_scope.pk
        assert client.post(self.url("delete", theirs)).status_code == 404
        assert self.model._default_manager.filter(pk=theirs.pk).exists()

    def test_history_is_shown_to_readers(self):
        if not self.has("history"):
            pytest.skip("no history page")
        record = self.make_record(self.tree.city)
        response = self.client_for(self.tree.in_scope).get(self.url("history", record))
        assert response.status_code == 200
        assert len(response.context["entries"]) >= 1

    # --- every action enforced ----------------------------------------------------------------

    def _get_page(self, client, page: str, record: Model):
        if page == "export":
            return client.get(self.url("list") + "?format=csv")
        if page == "add":
            return client.get(self.url("add"))
        return client.get(self.url(page, record))

    def test_each_action_is_refused_to_a_role_lacking_it(self):
        """For every page and the action it needs: 404 when the role cannot see the record
        (it lacks ``view``), 403 when it can see it but lacks the page's action."""
        record = self.make_record(self.tree.city)
        for page, action in self.viewset.page_actions().items():
            response = self._get_page(self.client_for(self.user_without(action)), page, record)
            expected = 404 if action == "view" else 403
            assert response.status_code == expected, (page, action, response.status_code)

    def test_no_role_is_refused_every_page(self):
        record = self.make_record(self.tree.city)
        client = self.client_for(self.tree.no_role)
        for page in self.viewset.page_actions():
            expected = 403 if page in {"add", "export"} else 404
            assert self._get_page(client, page, record).status_code == expected, page

    def test_a_role_lacking_delete_cannot_delete(self):
        if not self.has("delete"):
            pytest.skip("no delete page")
        record = self.make_record(self.tree.city)
        client = self.client_for(self.user_without("delete"))
        assert client.post(self.url("delete", record)).status_code == 403
        assert self.model._default_manager.filter(pk=record.pk).exists()

    # --- sensitivity -------------------------------------------------------------------------

    def test_tlp_ceiling_and_read_log(self):
        if not self.has_tlp:
            pytest.skip("no TLP label on this model")
        red = self.make_record(self.tree.city, tlp=TLP.RED)
        amber = self.make_record(self.tree.city, tlp=TLP.AMBER)
        client = self.client_for(self.tree.in_scope)
        assert client.get(self.url("detail", red)).status_code == 404
        reads = SensitiveRead.objects.filter(object_id=str(amber.pk), user_id=self.tree.in_scope.pk)
        assert not reads.exists()
        assert client.get(self.url("detail", amber)).status_code == 200
        assert reads.count() == 1

    def test_a_part_is_seen_only_with_its_parent(self):
        """A part without a label of its own (a body's seat, a meeting's decision) is hidden
        wherever its parent is: here the parent turns RED, beyond every default role."""
        parent_field = getattr(self.model, "scope_parent_field", None)
        if parent_field is None:
            pytest.skip("not a part of another record")
        record = self.make_record(self.tree.city)
        parent = getattr(record, parent_field)
        client = self.client_for(self.tree.in_scope)
        assert client.get(self.url("detail", record)).status_code == 200
        type(parent)._default_manager.filter(pk=parent.pk).update(tlp=TLP.RED)
        assert client.get(self.url("detail", record)).status_code == 404
        if self.has("list"):
            assert record.pk not in self.listed_pks(client.get(self.url("list")))

    # --- cost --------------------------------------------------------------------------------

    def test_list_query_count_is_constant(self):
        if not self.has("list"):
            pytest.skip("no list page")
        client = self.client_for(self.tree.in_scope)
        self.make_record(self.tree.city)
        client.get(self.url("list"))  # warm caches (content types, sessions)
        with CaptureQueriesContext(connection) as one:
            client.get(self.url("list"))
        for _ in range(49):
            self.make_record(self.tree.city)
        with CaptureQueriesContext(connection) as fifty:
            response = client.get(self.url("list"))
        assert len(response.context["rows"]) >= 50
        assert len(fifty) == len(one), [q["sql"] for q in fifty.captured_queries]


class ScopedApiTests(_ScopedBase):
    """Standard API tests for a list and a detail endpoint of one model, and, when
    ``write_name`` is set, its create / update / delete endpoints (web.api.add_form_endpoints)."""

    list_url_name: ClassVar[str]
    detail_url_name: ClassVar[str]
    write_name: ClassVar[str | None] = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if getattr(cls, "list_url_name", None):
            TESTED_MODELS.add(cls.model._meta.label_lower)
            COVERED_URLS.update({cls.list_url_name, cls.detail_url_name})
        if cls.write_name:
            COVERED_URLS.update(
                f"api-1.0.0:{verb}_{cls.write_name}" for verb in ("create", "update", "delete")
            )

    def form_data(self, place: Place) -> dict[str, Any]:
        raise NotImplementedError

    def write_url(self, verb: str, obj: Model | None = None) -> str | None:
        from django.urls import NoReverseMatch

        try:
            args = [obj.pk] if obj is not None else []
            return reverse(f"api-1.0.0:{verb}_{self.write_name}", args=args)
        except NoReverseMatch:
            return None

    def send(self, client, method: str, url: str | None, payload=None):
        assert url is not None, f"no {method} endpoint"
        import json

        body = json.dumps(payload, default=str) if payload is not None else None
        return getattr(client, method)(url, data=body, content_type="application/json")

    def test_api_writes_in_scope_are_audited(self):
        if not self.write_name:
            pytest.skip("no write endpoints")
        client = self.client_for(self.tree.in_scope)
        submitted = self.form_data(self.tree.city)
        response = self.send(client, "post", self.write_url("create"), submitted)
        assert response.status_code == 201, response.content
        record = self.model._default_manager.get(pk=response.json()["id"])
        form_class = FORM_ENDPOINTS[self.write_name].viewset.form_class
        self.assert_saved_as_submitted(record, submitted, form_class)
        entries = _entries(record)
        assert [e.action for e in entries] == [LogEntry.Action.CREATE]
        assert entries[0].actor_id == self.tree.in_scope.pk
        update_url = self.write_url("update", record)
        if update_url:
            moved = self.send(client, "patch", update_url, self.form_data(self.tree.sibling))
            assert moved.status_code in {403, 422}, moved.content
            assert moved.json()["detail"]
            record.refresh_from_db()
            assert getattr(record, f"{self.place_field}_id") == self.tree.city.pk
            data = self.form_data(self.tree.ward)
            changed = self.send(client, "patch", update_url, data)
            assert changed.status_code == 200, changed.content
            record.refresh_from_db()
            self.assert_saved_as_submitted(record, data, form_class)
            assert _entries(record)[-1].actor_id == self.tree.in_scope.pk
        delete_url = self.write_url("delete", record)
        if delete_url:
            assert client.delete(delete_url).status_code == 204
            assert not self.model._default_manager.filter(pk=record.pk).exists()

    def test_a_session_write_without_the_csrf_header_is_refused(self):
        """A browser session's write needs the CSRF header (a bearer token's does not)."""
        if not self.write_name:
            pytest.skip("no write endpoints")
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.tree.in_scope)
        count = self.model._default_manager.count()
        response = self.send(
            client, "post", self.write_url("create"), self.form_data(self.tree.city)
        )
        assert response.status_code == 403, response.content
        assert self.model._default_manager.count() == count

    def test_api_writes_outside_scope_are_refused(self):
        if not self.write_name:
            pytest.skip("no write endpoints")
        count = self.model._default_manager.count()
        response = self.send(
            self.client_for(self.tree.in_scope),
            "post",
            self.write_url("create"),
            self.form_data(self.tree.sibling),
        )
        assert response.status_code in {403, 422}
        body = response.json()
        assert body["detail"] and (response.status_code == 403 or body["errors"])
        anonymous = self.send(
            self.client_for(), "post", self.write_url("create"), self.form_data(self.tree.city)
        )
        assert anonymous.status_code == 401
        assert self.model._default_manager.count() == count
        theirs = self.make_record(self.tree.sibling)
        for verb, method in (("update", "patch"), ("delete", "delete")):
            url = self.write_url(verb, theirs)
            if url:
                response = self.send(self.client_for(self.tree.in_scope), method, url, {})
                assert response.status_code == 404
        assert self.model._default_manager.filter(pk=theirs.pk).exists()

    def list_url(self) -> str:
        return reverse(self.list_url_name)

    def detail_url(self, obj: Model) -> str:
        return reverse(self.detail_url_name, args=[obj.pk])

    def ids(self, response) -> set[int]:
        assert response.status_code == 200, response.content
        return {item["id"] for item in response.json()["items"]}

    def test_each_action_is_refused_in_the_api(self):
        """Detail needs ``view`` (404 without it); create, update and delete need ``add``,
        ``change`` and ``delete`` (403 without them, the record untouched)."""
        record = self.make_record(self.tree.city)
        response = self.client_for(self.user_without("view")).get(self.detail_url(record))
        assert response.status_code == 404
        if not self.write_name:
            return
        count = self.model._default_manager.count()
        create = self.send(
            self.client_for(self.user_without("add")),
            "post",
            self.write_url("create"),
            self.form_data(self.tree.city),
        )
        assert create.status_code == 403, create.content
        assert self.model._default_manager.count() == count
        for verb, method, action in (("update", "patch", "change"), ("delete", "delete", "delete")):
            url = self.write_url(verb, record)
            if url:
                client = self.client_for(self.user_without(action))
                body = self.form_data(self.tree.ward) if verb == "update" else None
                response = self.send(client, method, url, body)
                assert response.status_code == 403, (verb, response.content)
        assert self.model._default_manager.filter(pk=record.pk).exists()

    def test_related_records_out_of_sight_are_never_named_in_the_api(self):
        if not self.named_foreign_keys():
            pytest.skip("no foreign key to another scoped record")
        cases = self.hidden_cases()
        client = self.client_for(self.tree.in_scope)
        urls = [self.detail_url(case.record) for case in cases] + [self.list_url()]
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (url, response.content)
            for case in cases:
                assert case.marker not in response.content.decode(), (url, case.field, case.how)

    def test_anonymous_gets_401(self):
        record = self.make_record(self.tree.city)
        client = self.client_for()
        for url in (self.list_url(), self.detail_url(record)):
            response = client.get(url)
            assert response.status_code == 401
            assert response.json()["detail"]

    def test_scope_across_the_tree(self):
        own = self.make_record(self.tree.city)
        below = self.make_record(self.tree.ward)
        theirs = self.make_record(self.tree.sibling)
        client = self.client_for(self.tree.in_scope)
        listed = self.ids(client.get(self.list_url()))
        assert {own.pk, below.pk} <= listed
        assert theirs.pk not in listed
        assert client.get(self.detail_url(own)).status_code == 200
        assert client.get(self.detail_url(below)).status_code == 200
        response = client.get(self.detail_url(theirs))
        assert response.status_code == 404
        assert response.json() == {"detail": "Not found.", "errors": []}
        assert self.client_for(self.tree.ancestor).get(self.detail_url(own)).status_code == 200

    def test_no_role_sees_nothing(self):
        record = self.make_record(self.tree.city)
        client = self.client_for(self.tree.no_role)
        assert record.pk not in self.ids(client.get(self.list_url()))
        assert client.get(self.detail_url(record)).status_code == 404

    def test_token_sees_what_the_user_sees(self):
        own = self.make_record(self.tree.city)
        theirs = self.make_record(self.tree.sibling)
        _token, secret = do_create_api_token(user=self.tree.in_scope, name="test")
        client = Client(headers={"Authorization": f"Bearer {secret}"})
        listed = self.ids(client.get(self.list_url()))
        assert own.pk in listed and theirs.pk not in listed
        bad = Client(headers={"Authorization": "Bearer bw_not-a-real-token"})
        assert bad.get(self.list_url()).status_code == 401

    def test_tlp_ceiling(self):
        if not self.has_tlp:
            pytest.skip("no TLP label on this model")
        red = self.make_record(self.tree.city, tlp=TLP.RED)
        client = self.client_for(self.tree.in_scope)
        assert red.pk not in self.ids(client.get(self.list_url()))
        assert client.get(self.detail_url(red)).status_code == 404

    def test_list_query_count_is_constant(self):
        client = self.client_for(self.tree.in_scope)
        self.make_record(self.tree.city)
        client.get(self.list_url())
        with CaptureQueriesContext(connection) as one:
            client.get(self.list_url())
        for _ in range(49):
            self.make_record(self.tree.city)
        with CaptureQueriesContext(connection) as fifty:
            response = client.get(self.list_url() + "?limit=100")
        assert len(response.json()["items"]) >= 50
        assert len(fifty) == len(one), [q["sql"] for q in fifty.captured_queries]
