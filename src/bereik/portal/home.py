"""Start-page cards: each app contributes figures for the roles that use it."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise

from bereik.accounts.access import access_for
from bereik.accounts.roles import Permission


@dataclass(frozen=True)
class Card:
    title: str | Promise
    figure: int | str
    url: str
    link_label: str | Promise


CardProvider = Callable[[object], list[Card]]
_PROVIDERS: list[tuple[Permission, CardProvider]] = []


def register(permission: Permission, provider: CardProvider) -> None:
    if (permission, provider) not in _PROVIDERS:
        _PROVIDERS.append((permission, provider))


def cards_for(user) -> list[Card]:
    access = access_for(user)
    cards: list[Card] = []
    for permission, provider in _PROVIDERS:
        if access.has(permission):
            cards.extend(provider(user))
    return cards
