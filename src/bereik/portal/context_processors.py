from bereik.accounts.access import access_for

from .navigation import menu_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_verified():
        return {"menu": [], "memberships": []}
    return {
        "menu": menu_for(user, request.path),
        "memberships": access_for(user).memberships,
    }
