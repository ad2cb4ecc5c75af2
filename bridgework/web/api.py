"""The API's shared parts: authentication, the one error shape, keyset pagination, scoping."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import orjson
from django import forms
from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, models
from django.db.models import ProtectedError
from django.http import Http404, HttpRequest
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import Body, Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError
from ninja.pagination import PaginationBase, paginate
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder, Status
from ninja.security import HttpBearer, SessionAuth
from ninja.throttling import SimpleRateThrottle

from bridgework.access.actions import usable_api_token
from bridgework.access.middleware import client_address
from bridgework.access.policy import access_record, log_sensitive_reads, sight_for
from bridgework.core.urls import record_url

from .forms import refusal_message, refused_field
from .pagination import InvalidCursor, keyset_page
from .unavailable import RETRY_AFTER_SECONDS, problem_message, storage_problem

__all__ = [
    "ERROR_RESPONSES",
    "FORM_ENDPOINTS",
    "FormEndpoints",
    "add_form_endpoints",
    "add_read_endpoints",
    "add_transition_endpoint",
    "ErrorOut",
    "KeysetPagination",
    "build_api",
    "record_url",
    "shown_name",
    "visible",
]


class FieldError(Schema):
    field: str = Field(description="Dotted path of the offending input, or '' for the request")
    message: str


class ErrorOut(Schema):
    """Every error the API returns has this shape."""

    detail: str
    errors: list[FieldError] = []


ERROR_RESPONSES: dict[int, Any] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    413: ErrorOut,
    422: ErrorOut,
    429: ErrorOut,
}


class _SettingRate(SimpleRateThrottle):
    """A throttle whose rate is a setting, read on each request (so it can be changed).

    ninja's throttle keeps, per key, the time of every request of the last period, read and
    written back whole on each request: at 1,200 a minute, a list of 1,200 times through the
    cache twice a request (per token and per address). This one keeps one time per key, the
    generic cell rate algorithm's "theoretical arrival time": ``count`` requests may come at
    once, then one each ``period / count``. A refused request waits until its turn
    (``Retry-After``). Two requests of one key on two workers at the same instant may both
    pass, as with ninja's list: the cache is read, then written."""

    setting: str = ""

    def __init__(self) -> None:
        super().__init__(rate=getattr(settings, self.setting))
        self._wait: float | None = None

    def allow_request(self, request: HttpRequest) -> bool:
        self.rate = getattr(settings, self.setting)
        self.num_requests, self.duration = self.parse_rate(self.rate)
        key = self.get_cache_key(request)
        if key is None or self.num_requests is None or not self.duration:
            return True
        if self.num_requests <= 0:  # "0/m": none at all
            self._wait = None
            return False
        now = self.timer()  # type: ignore[misc]  # ninja keeps time.time as a class attribute
        interval = self.duration / self.num_requests
        arrival = max(self.cache.get(key, now), now) + interval
        allowed_from = arrival - self.duration
        if now < allowed_from:
            self._wait = allowed_from - now
            return False
        self.cache.set(key, arrival, math.ceil(arrival - now) + 1)
        return True

    def wait(self) -> float | None:
        return self._wait


class PerTokenThrottle(_SettingRate):
    """At most ``API_RATE_PER_TOKEN`` requests per token (or per signed-in browser user)."""

    scope = "api-token"
    setting = "API_RATE_PER_TOKEN"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        header = request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            ident = hashlib.sha256(header[7:].encode()).hexdigest()[:32]
        elif getattr(request.user, "is_authenticated", False):
            ident = f"user-{request.user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}


class PerAddressThrottle(_SettingRate):
    """At most ``API_RATE_PER_ADDRESS`` requests from one address (the proxy's view of it
    behind ``BEHIND_PROXY``), whoever signs them."""

    scope = "api-address"
    setting = "API_RATE_PER_ADDRESS"

    def get_cache_key(self, request: HttpRequest) -> str | None:
        address = client_address(request)
        if not address:
            return None
        return self.cache_format % {"scope": self.scope, "ident": address}


def _has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return any("\ud800" <= char <= "\udfff" for char in value)
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(item) for item in value)
    return False


class StrictJsonParser(Parser):
    """JSON bodies as ninja reads them, refusing text no database can store: a lone UTF-16
    surrogate (``"\\ud800"``) is valid JSON but not valid Unicode text."""

    def parse_body(self, request: HttpRequest) -> Any:
        data = super().parse_body(request)
        if _has_lone_surrogate(data):
            raise NinjaValidationError(
                [{"loc": ("body",), "msg": "Text must be valid Unicode (a lone surrogate is not)."}]
            )
        return data


class BrowserSessionAuth(SessionAuth):
    """The browser's session cookie, with Django's CSRF check on writes.

    Only a request that carries the session cookie is checked: a script sending a bearer
    token (and no cookie) is not a browser and cannot be the victim of a forged request, so it
    goes on to :class:`TokenAuth` instead of failing the CSRF check."""

    def _get_key(self, request: HttpRequest):
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)


class TokenAuth(HttpBearer):
    """A personal API token: ``Authorization: Bearer bw_…``."""

    def authenticate(self, request: HttpRequest, token: str):
        found = usable_api_token(token)
        if found is None:
            return None
        request.user = found.user
        # What the token itself carries (whether a second factor guarded its making).
        request.api_token = found  # type: ignore[attr-defined]
        return found.user


class OrjsonRenderer(JSONRenderer):
    """ninja's JSON renderer, written by orjson: a list of 50 records in a tenth of the time
    ``json.dumps`` takes (0.1 ms of a 4 ms answer). The values are ninja's: what orjson would
    write its own way — dates and times, dataclasses — and what it cannot write (decimals,
    translated text) go to ninja's encoder, as before. Keys that are not text become text, as
    ``json.dumps`` makes them. Only the spacing differs (none), and text is UTF-8, not
    ``\\u`` escapes. A value orjson refuses outright (an integer beyond 64 bits) goes to
    ``json.dumps``, which decides."""

    _options = (
        orjson.OPT_NON_STR_KEYS
        | orjson.OPT_PASSTHROUGH_DATETIME
        | (orjson.OPT_PASSTHROUGH_DATACLASS)
    )
    _default = NinjaJSONEncoder().default

    def render(self, request: HttpRequest, data: Any, *, response_status: int) -> Any:
        try:
            return orjson.dumps(data, default=self._default, option=self._options)
        except orjson.JSONEncodeError:
            return super().render(request, data, response_status=response_status)


def _error(api: NinjaAPI, request, status: int, detail: str, errors=()) -> Any:
    return api.create_response(
        request, {"detail": detail, "errors": [dict(e) for e in errors]}, status=status
    )


def build_api() -> NinjaAPI:
    api = NinjaAPI(
        title="Bridgework API",
        version="1.0.0",
        description="National–local cooperation data, scoped exactly as the pages are.",
        # A bearer token is tried first: a request that carries one is a script's.
        auth=[TokenAuth(), BrowserSessionAuth()],
        urls_namespace="api-1.0.0",
        docs_url="/docs",
        parser=StrictJsonParser(),
        renderer=OrjsonRenderer(),
        throttle=[PerTokenThrottle(), PerAddressThrottle()],
    )

    @api.exception_handler(NinjaValidationError)
    def on_invalid(request, exc):
        errors = [
            {
                "field": ".".join(str(p) for p in err.get("loc", ())[1:]) or "",
                "message": err.get("msg", "invalid"),
            }
            for err in exc.errors
        ]
        return _error(api, request, 422, "The request is not valid.", errors)

    @api.exception_handler(AuthenticationError)
    def on_unauthenticated(request, exc):
        return _error(api, request, 401, "Authentication required.")

    @api.exception_handler(Http404)
    def on_not_found(request, exc):
        return _error(api, request, 404, "Not found.")

    @api.exception_handler(PermissionDenied)
    def on_forbidden(request, exc):
        return _error(api, request, 403, str(exc) or "Not allowed.")

    @api.exception_handler(RequestDataTooBig)
    def on_too_big(request, exc):
        return _error(api, request, 413, "The request body is too large.")

    @api.exception_handler(MultiPartParserError)
    def on_bad_multipart(request, exc):
        return _error(api, request, 400, "The multipart body cannot be read.")

    @api.exception_handler(ProtectedError)
    def on_still_referenced(request, exc):
        # The page answers the same: the record stays, and says why.
        return _error(api, request, 400, "Other records still refer to this one.")

    @api.exception_handler(DjangoValidationError)
    def on_django_invalid(request, exc):
        if hasattr(exc, "error_dict"):
            errors = [
                {"field": "" if f == "__all__" else f, "message": m}
                for f, messages in exc.message_dict.items()
                for m in messages
            ]
        else:
            errors = [{"field": "", "message": m} for m in exc.messages]
        return _error(api, request, 400, "The request is not valid.", errors)

    @api.exception_handler(OverflowError)
    def on_number_too_large(request, exc):
        # An id beyond the database's integer range (SQLite raises OverflowError).
        return _error(api, request, 422, "A number in the request is out of range.")

    @api.exception_handler(DataError)
    def on_value_out_of_range(request, exc):
        # The same on PostgreSQL ("integer out of range").
        return _error(api, request, 422, "A value in the request is out of range.")

    @api.exception_handler(Throttled)
    def on_throttled(request, exc):
        wait = f" Try again in {math.ceil(exc.wait)} seconds." if exc.wait else ""
        return _error(api, request, 429, f"Too many requests.{wait}")

    @api.exception_handler(HttpError)
    def on_http_error(request, exc):
        return _error(api, request, exc.status_code, str(exc), getattr(exc, "field_errors", ()))

    @api.exception_handler(Exception)
    def on_crash(request, exc):
        import logging

        logging.getLogger("bridgework.api").exception("API error")
        problem = storage_problem(exc)
        if problem is not None:  # the database cannot serve now: try again later
            response = _error(api, request, 503, problem_message(problem))
            response["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        return _error(api, request, 500, "Server error.")

    return api


def visible(request, model: type[models.Model], action: str = "view") -> models.QuerySet:
    """The scoped queryset for the authenticated API user: the only way the API reads."""
    manager: Any = model._default_manager  # a ScopedQuerySet manager
    return manager.visible_to(request.user, action)


def shown_name(obj: models.Model | None, context: Any) -> str:
    """A related record's name in an answer, or "a record you cannot see": the same decision
    as the pages' (``Sight``). ``context`` is what ninja passes to a ``resolve_*`` method."""
    request = (context or {}).get("request")
    return sight_for(getattr(request, "user", None)).name(obj)


def _named_records(items: list[Any]) -> list[models.Model]:
    """The related records already loaded on ``items`` (``select_related``): what an answer
    may name, to be checked in one query per model."""
    named = []
    for obj in items:
        for field in obj._meta.concrete_fields:
            if field.is_relation and field.is_cached(obj):
                named.append(field.get_cached_value(obj))
    return named


class KeysetPagination(PaginationBase):
    """Cursor pagination: ``after``/``before`` cursors and ``limit`` (≤ 200)."""

    class Input(Schema):
        after: str | None = Field(None, description="Cursor: the page after this one")
        before: str | None = Field(None, description="Cursor: the page before this one")
        limit: int = Field(50, ge=1, le=200)

    class Output(Schema):
        items: list[Any]
        next: str | None
        previous: str | None

    items_attribute = "items"

    def __init__(
        self,
        *,
        ordering: tuple[str, ...] = ("pk",),
        attach: Callable[[list[Any]], object] | None = None,
        **kwargs: Any,
    ) -> None:
        self.ordering = ordering
        # Loads what the answer shows of related records onto the page's rows, as plain
        # values (a few grouped queries); cheaper than prefetch_related's managers and models.
        self.attach = attach
        super().__init__(**kwargs)

    def paginate_queryset(self, queryset, pagination: Input, request: HttpRequest, **params):
        try:
            page = keyset_page(
                queryset,
                ordering=self.ordering,
                size=pagination.limit,
                after=pagination.after,
                before=pagination.before,
            )
        except InvalidCursor as exc:
            raise HttpError(400, "That cursor is not valid for this list.") from exc
        if self.attach is not None:
            self.attach(page.items)
        log_sensitive_reads(request.user, page.items, channel="api")
        sight_for(request.user).preload(_named_records(page.items))
        return {
            "items": page.items,
            "next": _page_url(request, "after", page.next_cursor),
            "previous": _page_url(request, "before", page.previous_cursor),
        }


def _page_url(request: HttpRequest, key: str, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    query = {k: v for k, v in request.GET.items() if k not in {"after", "before"}}
    query[key] = cursor
    return f"{request.path}?{urlencode(query)}"


# --- writes through the pages' own forms ----------------------------------------------------------


def _form_errors(form) -> list[dict[str, str]]:
    return [
        {"field": "" if field == "__all__" else field, "message": str(message)}
        for field, messages in form.errors.items()
        for message in messages
    ]


def _invalid(form) -> HttpError:
    error = HttpError(422, "The request is not valid.")
    error.field_errors = _form_errors(form)  # type: ignore[attr-defined]
    return error


def _save(save, form, *, acting_user):
    """``save(form, acting_user=…)``, a refusal out of reach answered as the pages answer it:
    403, in the one error shape, naming the field to change."""
    try:
        return save(form, acting_user=acting_user)
    except PermissionDenied as exc:
        message = refusal_message(form)
        error = HttpError(403, message)
        error.field_errors = [{"field": refused_field(form) or "", "message": message}]  # type: ignore[attr-defined]
        raise error from exc


def _current_values(form) -> dict[str, Any]:
    """What an unbound form would show: the base a partial update is applied to."""
    return {name: form[name].value() for name in form.fields if not form.fields[name].disabled}


@dataclass(frozen=True)
class FormEndpoints:
    """The write endpoints of one model: POST ``path``, PATCH and DELETE ``path/{id}``, with
    the form and actions of ``viewset`` (read by the generated tests and the API fuzzer)."""

    name: str
    path: str
    viewset: Any


# write name (``create_<name>``…) -> its endpoints
FORM_ENDPOINTS: dict[str, FormEndpoints] = {}

# A JSON value a form field cannot take (a list for a date, ``false`` for a title).
_WRONG_TYPE = object()


def _scalar(value: Any) -> Any:
    """Text as it is, a number as its text (an id, a label, a count); anything else (true or
    false, a list, an object) is not a value a single form field can take."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return _WRONG_TYPE


def _field_value(field: forms.Field, value: Any) -> Any:
    if value is None:
        return None
    if isinstance(field, forms.BooleanField):
        return value if isinstance(value, bool | str) else _WRONG_TYPE
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        if not isinstance(value, list):
            return _WRONG_TYPE
        items = [_scalar(item) for item in value]
        return _WRONG_TYPE if any(item is _WRONG_TYPE for item in items) else items
    return _scalar(value)


def _type_message(field: forms.Field) -> str:
    if isinstance(field, forms.BooleanField):
        return _("Expected true or false.")
    if isinstance(field, forms.MultipleChoiceField | forms.ModelMultipleChoiceField):
        return _("Expected a list of texts or numbers.")
    return _("Expected a text or a number.")


def _form_data(form, payload: dict[str, Any]) -> dict[str, Any]:
    """A JSON body as the form's data: each field's value of the JSON type it can take
    (numbers become their text, as a browser would send them), fields the form does not have
    left out. A value of the wrong JSON type answers 422, in the one error shape, naming every
    such field — never handed to the form, whose fields expect text."""
    data: dict[str, Any] = {}
    errors = []
    for name, value in payload.items():
        field = form.fields.get(name)
        if field is None:
            continue
        coerced = _field_value(field, value)
        if coerced is _WRONG_TYPE:
            errors.append({"field": name, "message": _type_message(field)})
        else:
            data[name] = coerced
    if errors:
        error = HttpError(422, "The request is not valid.")
        error.field_errors = errors  # type: ignore[attr-defined]
        raise error
    return data


def add_form_endpoints(router, *, viewset, path: str, out, name: str, read) -> None:
    """POST ``path`` (create), PATCH ``path/{id}`` (partial update) and DELETE ``path/{id}``
    for a :class:`~bridgework.web.viewsets.ModelViewSet`.

    The body is validated by the same scoped form the pages use and saved by the same action,
    so the API gets the pages' choices, validation, scope re-check and audit for free.
    ``read(request, id)`` is the module's detail endpoint: the answer has the detail's shape.
    """
    from bridgework.access.policy import can

    model = viewset.model
    form_class = viewset.form_class
    FORM_ENDPOINTS[name] = FormEndpoints(name, path, viewset)

    if "transition" in viewset.page_names():
        add_transition_endpoint(router, viewset=viewset, path=path, out=out, name=name, read=read)

    if "add" in viewset.pages:

        @router.post(
            path,
            response={201: out, **ERROR_RESPONSES},
            url_name=f"create_{name}",
            summary=f"Create a {model._meta.verbose_name}",
        )
        def create(request, payload: dict[str, Any] = Body(...)):  # noqa: B008 (ninja idiom)
            if not can(request.user, "add", model):
                raise PermissionDenied
            form = form_class(data={}, user=request.user, action="add")
            form.data = _form_data(form, payload)  # read only when validated, just below
            if not form.is_valid():
                raise _invalid(form)
            created = _save(viewset.create, form, acting_user=request.user)
            return Status(201, read(request, created.pk))

    if "edit" in viewset.pages:

        @router.patch(
            f"{path}/{{record_id}}",
            response={200: out, **ERROR_RESPONSES},
            url_name=f"update_{name}",
            summary=f"Change a {model._meta.verbose_name}",
        )
        def update(request, record_id: int, payload: dict[str, Any] = Body(...)):  # noqa: B008 (ninja idiom)
            obj = access_record(request.user, model, record_id, "change")
            current = form_class(instance=obj, user=request.user, action="change")
            data = {**_current_values(current), **_form_data(current, payload)}
            form = form_class(data=data, instance=obj, user=request.user, action="change")
            if not form.is_valid():
                raise _invalid(form)
            return read(request, _save(viewset.update, form, acting_user=request.user).pk)

    if "delete" in viewset.pages:

        @router.delete(
            f"{path}/{{record_id}}",
            response={204: None, **ERROR_RESPONSES},
            url_name=f"delete_{name}",
            summary=f"Delete a {model._meta.verbose_name}",
        )
        def delete(request, record_id: int):
            obj = access_record(request.user, model, record_id, "delete")
            viewset.delete(obj, acting_user=request.user)
            return Status(204, None)


class TransitionIn(Schema):
    transition: str = Field(..., max_length=60, description="The step's name (see /workflows/)")
    note: str = Field("", max_length=5000, description="Why; some steps require it")
    changes: dict[str, str | int | None] = Field(
        default_factory=dict,
        description="The fields a step takes beside its note (an answer's kind and text), "
        "as the workflow's help page lists them",
    )


def add_transition_endpoint(router, *, viewset, path: str, out, name: str, read) -> None:
    """POST ``path/{id}/transitions``: take a workflow step on the record, as the page's
    *Next steps* buttons do, through :func:`~bridgework.activity.workflows.do_transition`."""
    from bridgework.activity.workflows import do_transition

    model = viewset.model

    @router.post(
        f"{path}/{{record_id}}/transitions",
        response={200: out, **ERROR_RESPONSES},
        url_name=f"transition_{name}",
        summary=f"Take a workflow step on a {model._meta.verbose_name}",
    )
    def transition(request, record_id: int, payload: TransitionIn):
        obj = access_record(request.user, model, record_id)
        do_transition(
            obj,
            payload.transition,
            acting_user=request.user,
            note=payload.note,
            changes=payload.changes,
        )
        return read(request, obj.pk)


def add_read_endpoints(
    router,
    *,
    viewset,
    path: str,
    out,
    list_name: str,
    detail_name: str,
    ordering: tuple[str, ...] = ("place_path", "pk"),
):
    """GET ``path`` (the list, filtered by the viewset's FilterSet, keyset-paginated) and
    GET ``path/{id}`` (one record) for a :class:`~bridgework.web.viewsets.ModelViewSet`:
    the same scope, filters and related-record sight as its pages. Returns the detail
    endpoint's function (what :func:`add_form_endpoints` answers writes with)."""
    from ninja import Query

    from .filtering import filter_for_api, filter_schema
    from .viewsets import joined  # (viewsets imports this module)

    model = viewset.model
    filterset_class = viewset.filterset_class
    filters_schema = filter_schema(filterset_class, f"{model.__name__}Filters")
    plural = model._meta.verbose_name_plural
    # The related records the answer reads: the schema says so when it reads fewer than the
    # page's columns (a record joined and checked for nothing costs a model and a sight each).
    related = getattr(out, "list_related", None)
    if related is None:
        related = viewset.list_select_related

    def list_records(request, filters):
        scoped = viewset.base_queryset(request).visible_to(request.user, "view")
        rows = filter_for_api(filterset_class, request, scoped)
        return joined(rows, related)

    def get_record(request, record_id: int):
        return access_record(request.user, model, record_id, channel="api")

    # ninja reads the parameters from the annotations: give them as objects, not strings.
    list_records.__annotations__ = {"filters": Query[filters_schema]}  # type: ignore[misc,valid-type]
    get_record.__annotations__ = {"record_id": int}
    list_records.__name__ = list_records.__qualname__ = list_name
    get_record.__name__ = get_record.__qualname__ = detail_name

    router.get(
        path,
        response={200: list[out], **ERROR_RESPONSES},
        url_name=list_name,
        summary=f"List {plural}",
    )(paginate(KeysetPagination, ordering=ordering)(list_records))
    router.get(
        f"{path}/{{record_id}}",
        response={200: out, **ERROR_RESPONSES},
        url_name=detail_name,
        summary=f"One {model._meta.verbose_name}",
    )(get_record)
    return get_record
