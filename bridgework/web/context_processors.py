"""What every page's shell needs: the signed-in user's roles and places."""

from bridgework.access.policy import access_for

__all__ = ["shell"]


def shell(request):
    user = getattr(request, "user", None)
    access = access_for(user) if user is not None else None
    return {"held_roles": access.held if access else []}
