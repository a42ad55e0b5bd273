import pytest
from django.db import connection

from bereik.accounts.roles import Role
from bereik.audit import triggers
from bereik.audit.models import AuditAction
from bereik.audit.services import record


@pytest.fixture
def admin_a(make_member, municipality):
    return make_member(Role.FUNCTIONAL_ADMIN, municipality, username="beheer-alfa")


@pytest.fixture
def admin_b(make_member, other_municipality):
    return make_member(Role.FUNCTIONAL_ADMIN, other_municipality, username="beheer-beta")


@pytest.fixture
def coordinator_a(make_member, municipality):
    return make_member(Role.COORDINATOR, municipality, username="coord-alfa")


@pytest.fixture
def coordinator_b(make_member, other_municipality):
    return make_member(Role.COORDINATOR, other_municipality, username="coord-beta")


@pytest.fixture
def make_entries(db):
    """``make_entries(n, **record_kwargs)`` -> n recorded entries about objects 1..n."""

    def make(count: int = 3, **kwargs):
        kwargs.setdefault("actor", None)
        kwargs.setdefault("action", AuditAction.VIEW)
        kwargs.setdefault("object_type", "cases.case")
        return [record(object_id=i + 1, **kwargs) for i in range(count)]

    return make


@pytest.fixture
def without_triggers(db):
    """Lift the append-only triggers for one test, as an attacker with DDL rights would.

    The test's transaction is rolled back afterwards, which restores them.
    """
    triggers.remove(connection)
    yield
    assert not triggers.is_installed(connection)


def raw_update(entry_id: int, column: str, value) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE audit_auditentry SET {column} = %s WHERE id = %s",
            [value, entry_id],
        )
