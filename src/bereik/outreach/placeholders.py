"""Filling ``{naam}``-style placeholders in scripts and message templates."""

import re

PLACEHOLDER = re.compile(r"\{(\w+)\}")
KNOWN = ("naam", "achternaam", "gemeente", "partners", "bedrag", "beller", "terugbelnummer")


def fill(text: str, values: dict[str, str]) -> str:
    """Replace known placeholders; unknown ones stay visible so a typo shows in the preview."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def unknown_placeholders(text: str) -> list[str]:
    return sorted({name for name in PLACEHOLDER.findall(text) if name not in KNOWN})
