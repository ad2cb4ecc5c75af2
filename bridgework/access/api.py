"""The signed-in user, and role assignments in scope."""

from datetime import date

from ninja import Query, Router, Schema
from ninja.pagination import paginate

from bridgework.access.policy import access_record
from bridgework.web.api import ERROR_RESPONSES, KeysetPagination, visible
from bridgework.web.api_rows import RecordOut
from bridgework.web.filtering import filter_for_api, filters_of

from .filters import RoleAssignmentFilterSet
from .models import RoleAssignment
from .policy import access_for

__all__ = ["router"]

router = Router(tags=["access"])


class HeldRoleOut(RecordOut):
    assignment_id: int
    role: str
    role_name: str
    where: str
    place_paths: list[str]


class MeOut(RecordOut):
    id: int
    email: str
    full_name: str
    language: str
    roles: list[HeldRoleOut]


@router.get("/me", response={200: MeOut, **ERROR_RESPONSES}, summary="The signed-in user")
def me(request):
    access = access_for(request.user)
    held = access.held if access else []
    return {
        "id": request.user.pk,
        "email": request.user.email,
        "full_name": request.user.full_name,
        "language": request.user.preferred_language,
        "roles": [
            {
                "assignment_id": h.assignment_id,
                "role": h.role_slug,
                "role_name": h.role_name,
                "where": h.place_name,
                "place_paths": list(h.paths),
            }
            for h in held
        ],
    }


@filters_of(RoleAssignmentFilterSet)
class AssignmentFilters(Schema):
    """Its query parameters: one per filter of the FilterSet (see web.filtering)."""


class AssignmentOut(RecordOut):
    id: int
    user_id: int
    email: str
    role: str
    place_id: int
    place_name: str
    hub_id: int | None
    starts_on: date | None
    ends_on: date | None

    # Resolvers, not dotted aliases: ninja parses a dotted name as a template variable per row.
    @staticmethod
    def resolve_email(obj) -> str:
        return obj.user.email

    @staticmethod
    def resolve_role(obj) -> str:
        return obj.role.slug

    @staticmethod
    def resolve_place_name(obj) -> str:
        return obj.place.name


@router.get(
    "/assignments",
    response={200: list[AssignmentOut], **ERROR_RESPONSES},
    summary="Role assignments in your places",
)
@paginate(KeysetPagination, ordering=("place_path", "pk"))
def list_assignments(request, filters: Query[AssignmentFilters]):
    assignments = filter_for_api(RoleAssignmentFilterSet, request, visible(request, RoleAssignment))
    return assignments.select_related("user", "role", "place")


@router.get(
    "/assignments/{assignment_id}",
    response={200: AssignmentOut, **ERROR_RESPONSES},
    summary="One role assignment",
)
def get_assignment(request, assignment_id: int):
    return access_record(request.user, RoleAssignment, assignment_id, channel="api")
