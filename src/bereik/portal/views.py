from django.http import HttpResponseForbidden
from django.shortcuts import render
from django.template.loader import render_to_string

from bereik.accounts.access import access_for

from .home import cards_for


def home(request):
    access = access_for(request.user)
    return render(
        request,
        "portal/home.html",
        {"memberships": access.memberships, "cards": cards_for(request.user)},
    )


def csrf_failure(request, reason=""):
    return HttpResponseForbidden(render_to_string("errors/csrf.html", request=request))
