"""Django's ``flush``, able to empty the audit table on SQLite despite its append-only triggers.

``flush`` wipes every table on purpose (the test runner uses it between transactional tests). On
PostgreSQL it truncates, which row triggers do not see; on SQLite it deletes row by row, so the
triggers are lifted for that one transaction and put back before it commits.
"""

from django.core.management.commands import flush
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from bereik.audit import triggers


class Command(flush.Command):
    def handle(self, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if (
            connection.vendor != "sqlite"
            or triggers.TABLE not in connection.introspection.table_names()
        ):
            return super().handle(**options)
        with transaction.atomic(using=connection.alias):
            triggers.remove(connection)
            super().handle(**options)
            triggers.install(connection)
