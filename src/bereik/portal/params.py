"""Reading ids from query and form parameters (URL paths use converters instead)."""

from django.http import Http404


def optional_id(value: str | None) -> int | None:
    """A primary key from a parameter: ``None`` when absent or empty ("all", "the first");
    anything but a plain number (letters, "1.5", "²", more digits than any id has) is not found,
    never a server error."""
    if value is None or not value.strip():
        return None
    value = value.strip()
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        raise Http404
    return int(value)
