import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand

from bereik.demo import dataset


class Command(BaseCommand):
    help = (
        "Run the demo on this machine: migrate, load the demo data, start the background worker "
        "and serve on 127.0.0.1:8000."
    )

    def add_arguments(self, parser):
        parser.add_argument("--addrport", default="127.0.0.1:8000")

    def handle(self, *args, addrport, **options):
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_demo")
        self.stdout.write(self._banner(addrport))
        worker = subprocess.Popen([sys.executable, "-m", "bereik.manage", "db_worker"])
        try:
            call_command("runserver", addrport, use_reloader=False)
        finally:
            worker.terminate()
            worker.wait(timeout=10)

    def _banner(self, addrport: str) -> str:
        lines = [
            "",
            f"Bereik draait op http://{addrport}/",
            f"Demo-wachtwoord voor iedere gebruiker: {dataset.DEMO_PASSWORD}",
            f"TOTP-sleutel (authenticator-app) voor iedere gebruiker: {dataset.DEMO_TOTP_BASE32}",
            "Gebruikers:",
        ]
        lines += [f"  {u.username:<14} {u.role.label}" for u in dataset.DEMO_USERS]
        lines.append("")
        return "\n".join(str(line) for line in lines)
