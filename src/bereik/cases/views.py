from django.core.paginator import Paginator
from django.shortcuts import render

from bereik.accounts.access import access_for, get_for_user
from bereik.accounts.roles import Permission
from bereik.audit.models import AuditAction
from bereik.audit.services import record

from .models import Case
from .selectors import case_timeline, cases_for


def case_list(request):
    cases = cases_for(request.user)
    query = request.GET.get("q", "").strip()
    if query:
        cases = cases.filter(reference__icontains=query) | cases.filter(
            resident__surname__icontains=query
        )
    page = Paginator(cases, 50).get_page(request.GET.get("page"))
    return render(request, "cases/case_list.html", {"page": page, "query": query})


def case_detail(request, pk: int):
    case = get_for_user(
        request.user,
        Case.objects.select_related("resident", "municipality"),
        Permission.VIEW_RESIDENT,
        pk=pk,
    )
    # Reading a resident's record is itself an event the municipality must be able to account for.
    record(actor=request.user, action=AuditAction.VIEW, obj=case)
    show_bsn = access_for(request.user).can(Permission.VIEW_BSN, case.municipality_id)
    return render(
        request,
        "cases/case_detail.html",
        {
            "case": case,
            "resident": case.resident,
            "show_bsn": show_bsn,
            "signals": case.signals.order_by("signal_date"),
            "phone_numbers": case.resident.phone_numbers.all(),
            "timeline": case_timeline(case),
        },
    )
