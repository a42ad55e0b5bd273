"""The functional administrator's screens: API tokens (create, show once, revoke) and the
webhook delivery log."""

import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bereik.accounts.access import access_for, require
from bereik.accounts.models import Organisation
from bereik.accounts.roles import Permission

from . import selectors, services
from .forms import TokenForm
from .models import WebhookDelivery


def _organisations(user) -> list[Organisation]:
    require(user, Permission.MANAGE_USERS)
    return access_for(user).organisations_with(Permission.MANAGE_USERS)


def token_list(request):
    organisations = _organisations(request.user)
    tokens = selectors.tokens_of(organisations)
    return render(request, "api/token_list.html", {"tokens": tokens})


def token_create(request):
    organisations = _organisations(request.user)
    queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])
    form = TokenForm(request.POST or None, organisations=queryset)
    if request.method == "POST" and form.is_valid():
        expires_on = form.cleaned_data["expires_on"]
        expires_at = (
            timezone.make_aware(dt.datetime.combine(expires_on, dt.time.max))
            if expires_on
            else None
        )
        token, secret = services.create_token(
            actor=request.user,
            organisation=form.cleaned_data["organisation"],
            name=form.cleaned_data["name"],
            scopes=form.cleaned_data["scopes"],
            expires_at=expires_at,
        )
        # Shown once, on this response only: the secret is not stored.
        return render(request, "api/token_created.html", {"token": token, "secret": secret})
    return render(request, "api/token_form.html", {"form": form})


@require_POST
def token_revoke(request, pk: int):
    organisations = _organisations(request.user)
    token = selectors.tokens_of(organisations).filter(pk=pk).first()
    if token is None:
        raise Http404
    services.revoke_token(actor=request.user, token=token)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("api:tokens")


def delivery_log(request):
    organisations = _organisations(request.user)
    deliveries = selectors.deliveries_of(organisations)
    status = request.GET.get("status", "")
    if status in WebhookDelivery.Status.values:
        deliveries = deliveries.filter(status=status)
    page = Paginator(deliveries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "api/delivery_log.html",
        {"page": page, "status": status, "statuses": WebhookDelivery.Status.choices},
    )
