"""Helpers shared by the peer launchers."""

import ctypes
import os
import signal

_PR_SET_PDEATHSIG = 1


def die_with_parent(sig=signal.SIGTERM):
    """Asks the kernel to send `sig` when our parent (the test binary) dies.

    A crashed test never runs its destructors, and this sandbox's PID 1 reaps orphans late:
    without this, a peer would keep its port and files after a crash. Linux sends the signal
    when the parent *thread* that started us exits, so start peers from the test's own thread.
    Also the Popen preexec_fn for the daemons a peer starts itself (they stop their own
    children on SIGTERM).
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)
    except (OSError, AttributeError):
        return  # not Linux: the test harness's process-group kill still applies
    if os.getppid() == 1:  # the parent died before prctl took effect
        os.kill(os.getpid(), sig)

