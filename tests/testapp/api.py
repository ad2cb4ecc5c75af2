from ninja import Router, Schema
from ninja.pagination import paginate

from bridgework.access.policy import access_record
from bridgework.web.api import ERROR_RESPONSES, KeysetPagination, visible

from .models import Dossier

router = Router(tags=["test"])


class DossierOut(Schema):
    id: int
    title: str
    tlp: int


@router.get("/test/dossiers", response={200: list[DossierOut], **ERROR_RESPONSES})
@paginate(KeysetPagination, ordering=("place_path", "pk"))
def list_dossiers(request):
    return visible(request, Dossier)


@router.get("/test/dossiers/{dossier_id}", response={200: DossierOut, **ERROR_RESPONSES})
def get_dossier(request, dossier_id: int):
    return access_record(request.user, Dossier, dossier_id, channel="api")
