"""The demo's call campaign: the script from the pilot's conversation guide, the default calling
windows, and the demo month's callable cases in the queue."""

from django.db import transaction
from django.utils import timezone

from bereik.outreach import services as outreach
from bereik.outreach.models import Campaign

DEMO_CALLER_ID = "0881234567"
DEMO_SCRIPT = """Goedendag, u spreekt met {beller}, ik bel namens {gemeente}. Spreek ik met {naam}?

Sinds januari 2021 krijgt de gemeente een melding als er een betalingsachterstand is. Wij hebben \
een melding gekregen van {partners} over een achterstand van {bedrag}.

Hulp van de gemeente is gratis en er is voor iedere situatie iets: een budgetcoach, hulp bij een \
betalingsregeling, bespaartips of advies.

Dit gesprek is om samen te kijken of u hulp wilt. Zo ja, dan neemt mijn collega contact met u op \
om een afspraak te maken. Wanneer kunnen wij u het beste bereiken?

U kunt ons altijd terugbellen op {terugbelnummer}."""


def load_demo_campaign(municipality) -> Campaign:
    """Create the campaign once and queue the demo month's callable cases; idempotent."""
    existing = Campaign.objects.filter(municipality=municipality).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        script = outreach.create_script(
            actor=None, municipality=municipality, name="Vroegsignalering", body=DEMO_SCRIPT
        )
        today = timezone.localdate()
        campaign = outreach.create_campaign(
            actor=None,
            municipality=municipality,
            name=f"Vroegsignalering {today:%m-%Y}",
            starts_on=today.replace(day=1),
            caller_id=DEMO_CALLER_ID,
            script=script,
        )
        outreach.enqueue_cases(actor=None, campaign=campaign)
    return campaign
