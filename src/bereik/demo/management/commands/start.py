import signal
import socket
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from bereik.demo import dataset


class Command(BaseCommand):
    help = (
        "Run the demo on this machine: migrate, load the demo data, start the background worker "
        "and serve on 127.0.0.1:8000."
    )

    def add_arguments(self, parser):
        parser.add_argument("--addrport", default="127.0.0.1:8000")

    def handle(self, *args, addrport, **options):
        host, _, port = addrport.rpartition(":")
        self._check_port_free(host or "127.0.0.1", int(port))
        call_command("migrate", interactive=False, verbosity=0)
        call_command("load_demo")
        self.stdout.write(self._banner(addrport))
        worker = subprocess.Popen([sys.executable, "-m", "bereik.manage", "db_worker"])
        # A plain `kill` must stop the worker too, not leave it orphaned.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            call_command("runserver", addrport, use_reloader=False)
        finally:
            worker.terminate()
            worker.wait(timeout=10)

    def _check_port_free(self, host: str, port: int) -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((host, port))
            except OSError:
                raise CommandError(
                    f"Port {port} on {host} is already in use: stop the other server or use "
                    f"--addrport {host}:{port + 1}"
                ) from None

    def _banner(self, addrport: str) -> str:
        lines = [
            "",
            f"Bereik draait op http://{addrport}/",
            f"Demo-wachtwoord voor iedere gebruiker: {dataset.DEMO_PASSWORD}",
            f"TOTP-sleutel (authenticator-app) voor iedere gebruiker: {dataset.DEMO_TOTP_BASE32}",
            "Gebruikers:",
        ]
        with translation.override(settings.LANGUAGE_CODE):
            lines += [f"  {u.username:<14} {u.role.label}" for u in dataset.DEMO_USERS]
        lines.append("")
        return "\n".join(str(line) for line in lines)
