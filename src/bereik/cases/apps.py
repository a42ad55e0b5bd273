from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "bereik.cases"
    verbose_name = _("Residents, signals and cases")
