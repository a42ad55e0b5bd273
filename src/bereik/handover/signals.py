"""Announcements of the handover app (module named after ``django.dispatch`` signals; the app has
no signal partners in it)."""

from django.dispatch import Signal

# Sent after the transaction that accepted a handover has committed, with ``handover``.
handover_accepted = Signal()
