# The intake's import fixture, for the matching tests that import signals as in real use.
from tests.intake.conftest import run_import  # noqa: F401
