"""Navigation item of the planner."""

from django.utils.translation import gettext_lazy as _

from bereik.accounts.roles import Permission
from bereik.portal import navigation

navigation.register(navigation.MenuItem(_("Planner"), "reach:planner", Permission.VIEW_REPORTS))
