from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bereik.conf.env import render_markdown


class Command(BaseCommand):
    help = "Write docs/configuration.md from the environment-variable registry."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check", action="store_true", help="Fail if the file is not up to date."
        )

    def handle(self, *args, check, **options):
        target = Path(settings.PROJECT_DIR) / "docs" / "configuration.md"
        content = render_markdown()
        if check:
            if not target.exists() or target.read_text(encoding="utf-8") != content:
                raise CommandError(f"{target.name} is stale: run 'bereik config_docs'")
            return
        target.write_text(content, encoding="utf-8")
        self.stdout.write(f"Wrote {target.name}")
