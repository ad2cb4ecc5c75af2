from bridgework.web.forms import ScopedModelForm
from bridgework.web.viewsets import Column, ModelViewSet

from .models import Dossier


class DossierForm(ScopedModelForm):
    class Meta:
        model = Dossier
        fields = ["title", "place", "tlp"]


class DossierViewSet(ModelViewSet):
    model = Dossier
    form_class = DossierForm
    url_prefix = "test/dossiers/"
    ordering = ("place_path", "pk")
    list_select_related = ("place",)
    columns = [Column("title", "Title"), Column("place.name", "Place")]
    detail_fields = [("title", "Title"), ("place", "Place")]
