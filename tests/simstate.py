"""Cheap copies and fingerprints of a simulator's state, for the fuzz harness.

The fuzz suite checks after every refused call or read that nothing changed, and
starts from a fresh copy of its populated world after every other call. With
``snapshot()`` and ``Simulator.from_snapshot`` for that, the checks cost far more
than the calls (a snapshot and its JSON text ~0.5 ms, a restore ~2.5 ms, five
times as much under coverage, against 5-15 µs for a call). Both helpers here are
one ``pickle`` pass, run in C:

- :func:`fingerprint` is the pickle of the simulator's state without the transcript
  and the call count (the harness checks the transcript on its own). It holds every
  record, the clock, the id source, the event queue, the faults and the listing
  indexes, so it changes whenever ``snapshot()`` minus its transcript does
  (``test_simstate.py`` proves it), and also when an index alone changes.
- :func:`frozen` and :func:`thaw` make independent copies of a simulator.

They reach into ``Simulator._world``: a test helper may; the library offers no
such copy because a snapshot is the supported way.
"""

from __future__ import annotations

import copyreg
import io
import pickle
import threading
from typing import Any

from jsonschema import Draft7Validator

from jobsim import Simulator

#: Compiled validators do not pickle. A copy shares the original's (they are never
#: changed; kept here, so an id is never reused); a fingerprint leaves them out (each
#: is compiled from a schema the fingerprint holds).
_SHARED: dict[int, Any] = {}


def _shared(key: int) -> Any:
    return _SHARED[key]


def _share(value: Any) -> tuple[Any, tuple[int]]:
    _SHARED[id(value)] = value
    return _shared, (id(value),)


def _leave_out(value: Any) -> tuple[Any, tuple[int]]:
    return _shared, (0,)


def _new_lock(lock: Any) -> tuple[Any, tuple[()]]:
    return threading.RLock, ()


_COPY = copyreg.dispatch_table.copy()
_COPY[Draft7Validator] = _share
_COPY[type(threading.RLock())] = _new_lock
_FINGERPRINT = copyreg.dispatch_table.copy()
_FINGERPRINT[Draft7Validator] = _leave_out


def _dumps(value: Any, table: dict[type, Any]) -> bytes:
    out = io.BytesIO()
    pickler = pickle.Pickler(out, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = table
    pickler.dump(value)
    return out.getvalue()


#: Attributes of a simulator or its world that record calls rather than hold state
#: (every call, refused ones too, changes them), and the lock.
_NOT_STATE = frozenset({"_lock", "_calls", "_transcript", "transcript", "_world"})


def fingerprint(sim: Simulator, *, faults: bool = True) -> bytes:
    """The state of ``sim`` but its transcript and call count (and, unless ``faults``,
    the queued faults, which a refused call may consume), as bytes: equal bytes, equal
    state."""
    skip = _NOT_STATE if faults else _NOT_STATE | {"faults"}
    parts = [(k, v) for k, v in vars(sim).items() if k not in skip]
    parts += [(f"world.{k}", v) for k, v in vars(sim._world).items() if k not in skip]
    return _dumps(parts, _FINGERPRINT)


def frozen_transcript(sim: Simulator) -> list[bytes]:
    """The transcript's entries, oldest first, as the bytes it keeps them in: equal
    bytes, equal entries. Comparing these costs no thawing, which ``sim.transcript``
    does for every entry (``jobsim.transcript.thaw_entry`` thaws one)."""
    held = sim._world.transcript
    return held.frozen(held.first, held.total)


def frozen(sim: Simulator) -> bytes:
    """``sim`` as bytes that :func:`thaw` turns into independent copies of it."""
    return _dumps(sim, _COPY)


def thaw(frozen_sim: bytes) -> Simulator:
    """A new simulator equal to the one :func:`frozen` was given."""
    sim = pickle.loads(frozen_sim)
    assert isinstance(sim, Simulator)
    return sim
