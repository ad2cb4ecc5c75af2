"""Response headers for signed-in pages."""

__all__ = ["NoStoreForSignedInMiddleware"]


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
