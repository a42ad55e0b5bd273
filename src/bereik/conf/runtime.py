"""Process-level settings of a Bereik server process."""

import gc


def settle_garbage_collector() -> None:
    """Keep what the process loaded at start-up (settings, models, URL patterns, templates) out of
    the garbage collector's full collections.

    Those objects live as long as the process, yet a full collection walks all of them: 50-130 ms
    with every request of the process waiting, which is what an agent's "next resident" then
    takes (docs/benchmarks.md). Frozen, they are never examined again; in a server that loads the
    application before forking its workers the frozen pages also stay shared between them.
    """
    gc.collect()
    gc.freeze()
