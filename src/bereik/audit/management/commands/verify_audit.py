import structlog
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bereik.audit import triggers
from bereik.audit.selectors import chain_tail, chain_tails, verify_chain

logger = structlog.get_logger(__name__)


class Command(BaseCommand):
    help = (
        "Verify the audit trail's hash chain. Exits non-zero naming the first broken entry; "
        "prints the newest entry's hash of each chain for anchoring outside the database."
    )

    def handle(self, *args, **options):
        # Verify up to the tail read first, so the hash printed below is one that was verified.
        tail = chain_tail()
        verification = verify_chain(up_to=tail.pk if tail else None)
        logger.info(
            "audit_chain_verified",
            intact=verification.intact,
            checked=verification.checked,
            first_broken_id=verification.first_broken_id,
        )
        if not triggers.is_installed(connection):
            self.stderr.write(
                "Warning: the append-only trigger on the audit table is missing; "
                "run 'bereik migrate' or reinstall it (see docs/architecture.md)."
            )
        if not verification.intact:
            raise CommandError(
                f"Audit chain broken at entry {verification.first_broken_id} "
                f"({verification.checked} entries before it verified)."
            )
        self.stdout.write(f"Audit chain intact: {verification.checked} entries verified.")
        for newest in chain_tails(up_to=tail.pk if tail else None):
            self.stdout.write(
                f"Newest entry of chain {newest.chain}: {newest.pk} {newest.entry_hash}"
            )
