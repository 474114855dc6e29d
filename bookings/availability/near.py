"""Free slots near a wanted time, looked for in widening windows around it.

When a wanted time is taken the page offers the free times closest to it. Computing
the whole horizon for every consultant to find three of them costs seconds at scale;
the nearest ones are almost always within a day. So the search starts with a narrow
window around the wanted time and widens only while it has found fewer than it needs,
up to a cap.
"""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

from bookings.availability.inputs import require_aware

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence
    from datetime import datetime, timedelta

    from bookings.availability.inputs import Slot


def nearest(slots: Iterable[Slot], target: datetime, *, limit: int) -> list[Slot]:
    """The ``limit`` slots starting closest to ``target`` (either side), in time order.

    Of two equally close, the earlier comes first.
    """
    target = require_aware(target, "target")
    closest = sorted(slots, key=lambda slot: (abs(slot.start - target), slot.start))
    return sorted(closest[:limit], key=lambda slot: slot.start)


def slots_near(
    find: Callable[[datetime, datetime], Sequence[Slot]],
    target: datetime,
    *,
    limit: int,
    reaches: Sequence[timedelta],
) -> list[Slot]:
    """``nearest(all free slots, target)``, asking ``find`` only for windows around it.

    ``find(low, high)`` returns the free slots starting in ``[low, high)``. It is called
    with ``[target - reach, target + reach)`` for each of ``reaches`` (ascending) until
    one window holds ``limit`` slots: those are then exactly the ``limit`` nearest of
    all, since every slot outside a window is at least ``reach`` away while the
    window's are closer (or as close and earlier). The last reach is the cap: what it
    holds is returned even if fewer.
    """
    target = require_aware(target, "target")
    if not reaches or limit <= 0:
        return []
    if any(later <= earlier for earlier, later in itertools.pairwise(reaches)):
        raise ValueError(f"reaches must ascend: {list(reaches)}")
    found: Sequence[Slot] = []
    for reach in reaches:
        found = find(target - reach, target + reach)
        if len(found) >= limit:
            break
    return nearest(found, target, limit=limit)
