"""Response headers for signed-in pages, and numbers out of the database's range."""

from django.core.handlers.exception import response_for_exception
from django.db import DataError
from django.http import Http404

__all__ = ["NoStoreForSignedInMiddleware", "OutOfRangeIsNotFoundMiddleware"]


class NoStoreForSignedInMiddleware:
    """Pages shown to a signed-in user may hold sensitive records: never cache them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith("/static/"):
            response["Cache-Control"] = "no-store, private"
        return response


class OutOfRangeIsNotFoundMiddleware:
    """A number in a URL or a filter beyond what the database can hold (SQLite raises
    ``OverflowError``, PostgreSQL "integer out of range") names no record: 404, as for any
    record that does not exist, not a server error."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        out_of_range = isinstance(exception, OverflowError) or (
            isinstance(exception, DataError) and "out of range" in str(exception)
        )
        if out_of_range:
            return response_for_exception(request, Http404("out of range"))
        return None
