"""Keep freed memory for reuse (glibc): the window's grids stop paying for page faults.

Every 512 x 512 field is a 2 MB array. glibc's malloc hands allocations that large to mmap
and gives them back to the system when they are freed, so each new array faults its 512
pages in again: measured here, about 4,000 page faults and 7 ms of the 9 ms that evaluating
Himmelblau's derivatives took, and 14 of the 20 ms of all its fields. Raising the mmap and
trim thresholds (mallopt, M_MMAP_THRESHOLD and M_TRIM_THRESHOLD; see mallopt(3)) keeps such
blocks in the heap, where the next array reuses pages already mapped: the fields then take
6-7 ms, for a few tens of MB the process keeps instead of returning.
"""

from __future__ import annotations

import ctypes
import sys

M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 32 << 20  # glibc's largest on 64-bit systems: up to 32 MB stays in the heap
TRIM_THRESHOLD = 64 << 20  # free memory at the heap's top kept for the next arrays


def keep_freed_memory() -> bool:
    """Tune glibc's malloc as above; True if it took (False elsewhere: other C libraries
    are left as they are)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library this process already runs on
    except (OSError, AttributeError):  # musl and others have no mallopt
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and \
        bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
