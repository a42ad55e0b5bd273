"""Send the webhook deliveries whose (re)try is due: a catch-up for cron, next to the worker."""

from django.core.management.base import BaseCommand

from bereik.api.webhooks import send_due


class Command(BaseCommand):
    help = "Send every pending webhook delivery whose next attempt is due."

    def handle(self, *args, **options):
        self.stdout.write(f"{send_due()} deliveries tried")
