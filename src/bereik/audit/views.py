"""The audit browser for functional administrators. Browsing is not audited; exporting is."""

import json

import structlog
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bereik.accounts.access import require
from bereik.accounts.roles import Permission

from .exports import export_entries
from .forms import AuditFilterForm
from .selectors import AuditCriteria, entries_visible_to, filter_entries, verify_chain

logger = structlog.get_logger(__name__)
PAGE_SIZE = 50


def _filter_form(request) -> AuditFilterForm:
    data = request.GET.copy()
    data.pop("page", None)
    return AuditFilterForm(
        data or None, user=request.user, entries=entries_visible_to(request.user)
    )


def _criteria(form: AuditFilterForm) -> AuditCriteria | None:
    """The filters of a valid form, no filters for an empty one, None for an invalid one."""
    if not form.is_bound:
        return AuditCriteria()
    return form.criteria() if form.is_valid() else None


def _querystring(request) -> str:
    data = request.GET.copy()
    data.pop("page", None)
    return data.urlencode()


@require_GET
def entry_list(request):
    require(request.user, Permission.VIEW_AUDIT)
    form = _filter_form(request)
    criteria = _criteria(form)
    entries = (
        filter_entries(entries_visible_to(request.user), criteria)
        if criteria is not None
        else entries_visible_to(request.user).none()
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "audit/entry_list.html",
        {"form": form, "page": page, "querystring": _querystring(request)},
    )


@require_GET
def entry_detail(request, pk: int):
    require(request.user, Permission.VIEW_AUDIT)
    entry = get_object_or_404(entries_visible_to(request.user), pk=pk)
    return render(
        request,
        "audit/entry_detail.html",
        {
            "entry": entry,
            "detail": json.dumps(entry.detail, sort_keys=True, ensure_ascii=False),
            "hash_matches": entry.compute_hash() == entry.entry_hash,
            "verification": verify_chain(up_to=entry.pk),
        },
    )


@require_http_methods(["GET", "POST"])
def verify(request):
    require(request.user, Permission.VIEW_AUDIT)
    verification = None
    if request.method == "POST":
        verification = verify_chain()
        logger.info(
            "audit_chain_verified",
            intact=verification.intact,
            checked=verification.checked,
            first_broken_id=verification.first_broken_id,
        )
    first_broken_visible = (
        verification is not None
        and not verification.intact
        and entries_visible_to(request.user).filter(pk=verification.first_broken_id).exists()
    )
    return render(
        request,
        "audit/verify.html",
        {"verification": verification, "first_broken_visible": first_broken_visible},
    )


@require_POST
def export(request):
    """The filtered list as CSV; the filters come in the query string, like the list's."""
    require(request.user, Permission.VIEW_AUDIT)
    form = _filter_form(request)
    criteria = _criteria(form)
    if criteria is None:
        return render(
            request,
            "audit/entry_list.html",
            {"form": form, "page": None, "querystring": _querystring(request)},
            status=400,
        )
    lines = export_entries(user=request.user, criteria=criteria)
    filename = f"audit-{timezone.localtime():%Y%m%d-%H%M%S}.csv"
    return StreamingHttpResponse(
        lines,
        content_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
