"""The planner page: supervisors and coordinators ask what reach a month's signals and a staffing
give by a day, and what a target reach costs. The view parses the form, resolves the municipality
through the planner's access rules and calls ``services.plan_reach``."""

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from . import selectors, services
from .chart import reach_chart
from .engine import SimulationError
from .forms import PlannerForm
from .planner import MIN_ATTEMPTS_FOR_CALIBRATION


@require_GET
def planner(request):
    selectors.require_planner(request.user)
    chosen = request.GET.get("municipality")
    if chosen:
        # Another municipality's id is refused with a 404 before the form sees it.
        selectors.planner_municipality(request.user, chosen)
    submitted = "signals" in request.GET
    if submitted:
        form = PlannerForm(request.GET, user=request.user)
    else:
        form = PlannerForm(user=request.user)
    plan = chart = None
    if submitted and form.is_valid():
        municipality = form.cleaned_data["municipality"]
        observed = selectors.observed_rates(request.user, municipality.pk)
        try:
            plan = services.plan_reach(
                observed=observed,
                signals=form.cleaned_data["signals"],
                agents=form.agents,
                start_date=form.cleaned_data["start_date"],
                day=form.cleaned_data["day"],
                target=form.cleaned_data["target"] / 100,
                policy=form.cleaned_data["policy"],
            )
        except SimulationError:
            form.add_error(
                None, _("No calling window is open in the planning period; choose another day.")
            )
        else:
            chart = reach_chart(plan)
    context = {
        "form": form,
        "plan": plan,
        "chart": chart,
        "municipality": form.cleaned_data.get("municipality") if plan else None,
        "threshold": MIN_ATTEMPTS_FOR_CALIBRATION,
        "base_scenario": services.BASE_SCENARIO,
    }
    template = "reach/_result.html" if request.headers.get("HX-Request") else "reach/planner.html"
    return render(request, template, context)
