"""A task used only by the background-work tests (tasks must live at module level)."""

from django.tasks import task


@task
def multiply(a: int, b: int) -> int:
    return a * b
