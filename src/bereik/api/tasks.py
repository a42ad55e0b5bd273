"""Background work of the API: sending webhook deliveries."""

from django.tasks import task

from . import webhooks


@task()
def send_webhook(delivery_id: int) -> dict:
    delivery = webhooks.send(delivery_id)
    if delivery is None:
        return {"status": "skipped"}
    return {"status": delivery.status, "attempts": delivery.attempts}
