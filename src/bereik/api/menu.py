"""Navigation item of the API administration (tokens, webhook delivery log)."""

from django.utils.translation import gettext_lazy as _

from bereik.accounts.roles import Permission
from bereik.portal import navigation

navigation.register(
    navigation.MenuItem(_("API and webhooks"), "api:tokens", Permission.MANAGE_USERS),
)
