"""The navigation per role: each app registers its menu items here, guarded by a permission."""

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise

from bereik.accounts.access import access_for
from bereik.accounts.roles import Permission


@dataclass(frozen=True)
class MenuItem:
    label: str | Promise
    url_name: str
    permission: Permission | None  # None: every logged-in user


_ITEMS: list[MenuItem] = []


def register(*items: MenuItem) -> None:
    for item in items:
        if item not in _ITEMS:
            _ITEMS.append(item)


def menu_for(user, current_path: str) -> list[dict]:
    access = access_for(user)
    menu = []
    for item in _ITEMS:
        if item.permission is not None and not access.has(item.permission):
            continue
        url = reverse(item.url_name)
        menu.append(
            {
                "label": item.label,
                "url": url,
                "current": current_path == url or (url != "/" and current_path.startswith(url)),
            }
        )
    return menu
