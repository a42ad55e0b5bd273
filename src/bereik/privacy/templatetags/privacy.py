"""``{% load privacy %}{% privacy_panel case %}``: objection and legal hold on the case page."""

from django import template

from bereik.privacy import selectors

register = template.Library()


@register.inclusion_tag("privacy/panel.html", takes_context=True)
def privacy_panel(context, case):
    user = context["request"].user
    return {
        "case": case,
        "objection": selectors.active_objection(case.resident_id),
        "hold": selectors.active_legal_hold(case),
        "can_manage": selectors.can_manage_privacy(user, case.municipality_id),
    }
