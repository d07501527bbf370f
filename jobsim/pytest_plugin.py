"""jobsim's pytest plugin (registered through the ``pytest11`` entry point).

Fixtures:

``jobsim``
    A fresh :class:`~jobsim.Simulator`, configured by the test's
    ``@pytest.mark.jobsim(seed=..., start=..., **knobs)`` (keyword arguments of
    ``Simulator``; the closest marker wins). It checks every output against its
    tool's output schema (``validate_outputs``, on here by default);
    ``@pytest.mark.jobsim(validate_outputs=False)`` turns that off.
``jobsim_mcp``
    An async fixture: an MCP ``ClientSession`` connected in-process to a server on
    the ``jobsim`` simulator, control tools included (needs the ``mcp`` extra). It
    runs under anyio's pytest plugin, which ships with anyio::

        @pytest.mark.anyio
        async def test_cancel(jobsim, jobsim_mcp):
            await jobsim_mcp.call_tool("sim_create_project", {"slug": "acme"})

``jobsim_server``
    The URL (``http://127.0.0.1:PORT/mcp``) of a real ``jobsim serve --http
    --control`` subprocess on a free loopback port, with the marker's ``seed`` and
    ``start``; stopped after the test. It has its own simulator, not ``jobsim``.
``jobsim_shared_server``
    The same, from one ``jobsim serve --http --control`` per pytest process (per
    xdist worker), started by the first test that asks for it and stopped at the end
    of the session. Before each test it is reset (``POST /sim/reset``) to a fresh
    simulator with the marker's ``seed`` and ``start``, and every MCP session a
    previous test opened on it is closed: the test sees what ``jobsim_server`` would
    show it, without the start of a process.

When a test that used the ``jobsim`` fixture fails, its report gets a
"jobsim transcript" section: the latest calls the simulator saw (20 by default; ini
option ``jobsim_transcript_calls``), each argument and result cut after 500
characters (``jobsim_transcript_value_chars``) except a page's ``page_info``, which is
always shown whole (``--jobsim-full-transcript`` shows every call, whole); and a
"jobsim timeline" section naming the HTML picture of the simulation
(:mod:`jobsim.timeline`) written under the test's temporary directory, or into
``--jobsim-artifacts DIR``.
"""

from __future__ import annotations

import inspect
import json
import re
import subprocess
import sys
import tempfile
import threading
import urllib.error
import urllib.request
from collections import deque
from collections.abc import AsyncIterator, Generator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pytest

from jobsim.extras import RESET_PATH, missing_mcp_extra, served_url
from jobsim.simulator import Simulator
from jobsim_pytest import (
    FULL_TRANSCRIPT_FLAG,
    TRANSCRIPT_CALLS_DEFAULT,
    TRANSCRIPT_CALLS_INI,
    TRANSCRIPT_CHARS_DEFAULT,
    TRANSCRIPT_CHARS_INI,
)

if TYPE_CHECKING:
    from mcp.client.session import ClientSession

__all__ = [
    "TIMELINE_SECTION",
    "TRANSCRIPT_SECTION",
    "artifact_path",
    "format_transcript",
    "jobsim",
    "jobsim_mcp",
    "jobsim_server",
    "jobsim_shared_server",
    "serve_subprocess",
]

#: The title of the report section a failing test gets.
TRANSCRIPT_SECTION = "jobsim transcript"
#: The title of the section naming a failing test's timeline picture.
TIMELINE_SECTION = "jobsim timeline"

#: How long a ``jobsim serve`` subprocess may take to start serving, or to stop.
_START_SECONDS = 30.0
_STOP_SECONDS = 10.0
#: How long the reset of the shared server may take (a fresh simulator, its old
#: sessions closed).
_RESET_SECONDS = 30.0
#: How many of its last stderr lines a failure to start quotes.
_STDERR_LINES = 200

_SIMULATOR = pytest.StashKey[Simulator]()
_TMP = pytest.StashKey[pytest.TempPathFactory]()

#: The ``jobsim`` fixture's ``validate_outputs`` unless the marker says otherwise: a
#: test suite wants to hear at once when an output breaks its schema, and the check
#: is cheap (a page of 100: about 1.2x the call; benchmarks/README.md).
_FIXTURE_VALIDATES_OUTPUTS = True


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``jobsim`` marker (so ``--strict-markers`` accepts it), and check
    the transcript's ini options before any test runs."""
    _transcript_sizes(config)
    config.addinivalue_line(
        "markers",
        "jobsim(seed=0, start=..., **knobs): configure the Simulator of the jobsim fixture "
        "(and the seed and start of jobsim_server and jobsim_shared_server)",
    )


def _knobs(request: pytest.FixtureRequest) -> dict[str, Any]:
    marker = request.node.get_closest_marker("jobsim")
    if marker is None:
        return {}
    if marker.args:
        pytest.fail(
            "@pytest.mark.jobsim takes keyword arguments only, e.g. "
            "@pytest.mark.jobsim(seed=1, start='2026-01-01T00:00:00Z')",
            pytrace=False,
        )
    return dict(marker.kwargs)


@pytest.fixture
def jobsim(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Simulator:
    """A fresh Simulator, configured by ``@pytest.mark.jobsim(**knobs)``; outputs are
    validated unless the marker says ``validate_outputs=False``."""
    knobs = _knobs(request)
    seed = knobs.pop("seed", 0)
    knobs.setdefault("validate_outputs", _FIXTURE_VALIDATES_OUTPUTS)
    try:
        sim = Simulator(seed, **knobs)
    except (TypeError, ValueError) as error:
        pytest.fail(f"@pytest.mark.jobsim: {error}", pytrace=False)
    request.node.stash[_SIMULATOR] = sim
    request.node.stash[_TMP] = tmp_path_factory
    return sim


@pytest.fixture
def jobsim_mcp(request: pytest.FixtureRequest, jobsim: Simulator) -> ClientSession:
    """An MCP ``ClientSession`` connected in-process to ``jobsim`` (control tools on).

    The session lives on the event loop that runs the test, whichever plugin runs it:
    anyio's (``@pytest.mark.anyio``, or an async test no plugin claims) or
    pytest-asyncio's (``@pytest.mark.asyncio``, or its auto mode, at the test's
    ``loop_scope``). A test both plugins would run fails at once, saying so.
    """
    missing = missing_mcp_extra("the jobsim_mcp fixture")
    if missing is not None:
        pytest.fail(missing, pytrace=False)
    by_anyio = "anyio_backend" in request.fixturenames
    if _run_by_pytest_asyncio(request.node):
        if by_anyio:
            pytest.fail(
                "jobsim_mcp: this test is run by pytest-asyncio (@pytest.mark.asyncio or "
                "asyncio_mode=auto) and also asks for anyio (@pytest.mark.anyio or "
                "anyio_backend); keep one of them",
                pytrace=False,
            )
        name = _ASYNCIO_SESSION.format(scope=_asyncio_loop_scope(request.node))
        session: ClientSession = request.getfixturevalue(name)
        return session
    if by_anyio:
        session = request.getfixturevalue("_jobsim_mcp_anyio")
        return session
    pytest.fail(  # pragma: no cover - pytest_pycollect_makeitem routes async tests to anyio
        "jobsim_mcp is an async fixture: mark the test @pytest.mark.anyio (anyio's pytest "
        "plugin) or @pytest.mark.asyncio (pytest-asyncio)",
        pytrace=False,
    )


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(
    collector: pytest.Module | pytest.Class, name: str, obj: object
) -> None:
    """An async test that asks for ``jobsim_mcp`` and that neither anyio nor
    pytest-asyncio would run (no marker, no auto mode) runs under anyio, as anyio
    runs a test marked ``@pytest.mark.anyio``."""
    if not (collector.istestfunction(obj, name) and inspect.iscoroutinefunction(obj)):
        return
    if "jobsim_mcp" not in inspect.signature(obj).parameters:
        return
    own = [mark.name for mark in getattr(obj, "pytestmark", ())]
    claimed = any(
        collector.get_closest_marker(mark) is not None or mark in own
        for mark in ("anyio", "asyncio")
    )
    if not claimed and not _asyncio_auto_mode(collector.config):
        pytest.mark.usefixtures("anyio_backend")(obj)


def _asyncio_auto_mode(config: pytest.Config) -> bool:
    if not config.pluginmanager.has_plugin("asyncio"):
        return False
    return "auto" in (config.getoption("asyncio_mode", None), config.getini("asyncio_mode"))


def _run_by_pytest_asyncio(item: pytest.Item) -> bool:
    if not item.config.pluginmanager.has_plugin("asyncio"):
        return False
    import pytest_asyncio

    return bool(pytest_asyncio.is_async_test(item))


def _asyncio_loop_scope(item: pytest.Item) -> str:
    """The event loop scope pytest-asyncio runs ``item`` in (its marker's
    ``loop_scope``, else the ini default, else ``function``)."""
    marker = item.get_closest_marker("asyncio")
    scope = marker.kwargs.get("loop_scope") if marker is not None else None
    return str(scope or item.config.getini("asyncio_default_test_loop_scope") or "function")


@pytest.fixture
async def _jobsim_mcp_anyio(jobsim: Simulator) -> AsyncIterator[ClientSession]:
    """``jobsim_mcp`` under anyio's plugin."""
    from jobsim.mcp import connect

    async with connect(jobsim, control=True) as session:
        yield session


#: The name of ``jobsim_mcp``'s fixture under pytest-asyncio for a loop scope.
_ASYNCIO_SESSION = "_jobsim_mcp_asyncio_{scope}"


def _define_asyncio_sessions() -> None:
    """One ``jobsim_mcp`` fixture per pytest-asyncio loop scope, when it is installed:
    the session must be opened on the loop the test runs on."""
    try:
        import pytest_asyncio
    except ImportError:
        return
    for scope in ("function", "class", "module", "package", "session"):
        name = _ASYNCIO_SESSION.format(scope=scope)

        @pytest_asyncio.fixture(name=name, loop_scope=scope)
        async def session(jobsim: Simulator) -> AsyncIterator[ClientSession]:
            async with _session_in_a_task_of_its_own(jobsim) as connected:
                yield connected

        globals()[name] = session


@asynccontextmanager
async def _session_in_a_task_of_its_own(sim: Simulator) -> AsyncIterator[ClientSession]:
    """:func:`jobsim.mcp.connect` held open by a task of its own, on the running loop.

    pytest-asyncio runs an async fixture's setup and its teardown as two tasks, while
    anyio's task groups (inside the SDK's session) must be left by the task that
    entered them.
    """
    import asyncio

    from jobsim.mcp import connect

    ready: asyncio.Future[ClientSession] = asyncio.get_running_loop().create_future()
    leave = asyncio.Event()

    async def hold() -> None:
        try:
            async with connect(sim, control=True) as connected:
                ready.set_result(connected)
                await leave.wait()
        except BaseException as error:
            if not ready.done():
                ready.set_exception(error)
            raise

    holder = asyncio.create_task(hold())
    try:
        yield await ready
    finally:
        leave.set()
        await holder


_define_asyncio_sessions()


@pytest.fixture
def jobsim_server(request: pytest.FixtureRequest) -> Iterator[str]:
    """The URL of a ``jobsim serve --http --control`` subprocess, stopped after the test."""
    seed, start = _server_knobs(request, "jobsim_server")
    args = ["--control", "--seed", str(seed)]
    if start is not None:
        args += ["--start", start]
    with serve_subprocess(args) as url:
        yield url


@pytest.fixture
def jobsim_shared_server(request: pytest.FixtureRequest) -> str:
    """The URL of this process's shared ``jobsim serve --http --control``, reset to a
    fresh simulator with the marker's ``seed`` and ``start`` before the test."""
    seed, start = _server_knobs(request, "jobsim_shared_server")
    url: str = request.getfixturevalue("_jobsim_shared_serve")
    body = {"seed": seed} if start is None else {"seed": seed, "start": start}
    reset = urllib.request.Request(
        urlsplit(url)._replace(path=RESET_PATH).geturl(),
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        # wall-clock ok: a bounded wait for a real server
        with urllib.request.urlopen(reset, timeout=_RESET_SECONDS):
            pass
    except urllib.error.HTTPError as error:
        with error:
            said = error.read().decode(errors="replace")
        pytest.fail(f"jobsim_shared_server: the reset was refused: {said}", pytrace=False)
    except OSError as error:  # URLError, a timeout: the shared server has gone
        pytest.fail(f"jobsim_shared_server: cannot reset the server at {url}: {error}")
    return url


@pytest.fixture(scope="session")
def _jobsim_shared_serve() -> Iterator[str]:
    """The one ``jobsim serve --http --control`` of this pytest process."""
    with serve_subprocess(["--control"]) as url:
        yield url


def _server_knobs(request: pytest.FixtureRequest, fixture: str) -> tuple[int, str | None]:
    """(seed, start) of a server fixture, from the marker; fails the test if the mcp
    extra is missing or the marker has other knobs."""
    missing = missing_mcp_extra(f"the {fixture} fixture")
    if missing is not None:
        pytest.fail(missing, pytrace=False)
    knobs = _knobs(request)
    seed = knobs.pop("seed", 0)
    start = knobs.pop("start", None)
    if knobs:
        pytest.fail(
            f"{fixture} takes only seed and start from @pytest.mark.jobsim, not "
            + ", ".join(sorted(knobs)),
            pytrace=False,
        )
    return seed, None if start is None else str(start)


@contextmanager
def serve_subprocess(
    args: Sequence[str] = (),
    *,
    host: str = "127.0.0.1",
    start_timeout: float = _START_SECONDS,
) -> Iterator[str]:
    """Run ``jobsim serve --http --port 0`` with ``args`` on ``host``; yield its URL.

    The server binds a free port itself and reports it on stderr once it serves
    (:data:`jobsim.extras.SERVING`): no port is picked here first, so there is no
    window in which another process could take it. Waits (at most
    ``start_timeout`` seconds) for that line, and on exit stops the process
    (SIGTERM, then SIGKILL) and waits for it. Its stderr is quoted if it fails to
    start.
    """
    command = [sys.executable, "-m", "jobsim.cli", "serve", "--http", "--host", host]
    command += ["--port", "0", *args]
    process = subprocess.Popen(
        command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    stderr = _Stderr(process)
    try:
        yield stderr.wait_for_url(start_timeout)
    finally:
        _stop(process)
        stderr.join()


class _Stderr:
    """Reads a ``jobsim serve`` subprocess's stderr in a thread, to its end (so the
    server never blocks on a full pipe), keeping the last lines for error messages
    and noting the URL of the :data:`~jobsim.extras.SERVING` line."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self._process = process
        self._lines: deque[str] = deque(maxlen=_STDERR_LINES)
        self._url: str | None = None
        self._decided = threading.Event()  # the URL is known, or stderr has ended
        self._thread = threading.Thread(target=self._read, name="jobsim-serve-stderr")
        self._thread.daemon = True
        self._thread.start()

    def _read(self) -> None:
        assert self._process.stderr is not None
        with self._process.stderr:
            for raw in self._process.stderr:
                line = raw.decode(errors="replace").rstrip("\n")
                self._lines.append(line)
                if self._url is None:
                    self._url = served_url(line)
                    if self._url is not None:
                        self._decided.set()
        self._decided.set()

    def wait_for_url(self, timeout: float) -> str:
        """The served URL, once the server has said it (at most ``timeout`` seconds)."""
        self._decided.wait(timeout)  # wall-clock ok: bounded wait for a real subprocess
        if self._url is not None:
            return self._url
        if not self._decided.is_set():
            raise RuntimeError(f"jobsim serve did not report its URL in {timeout}s:\n{self}")
        self._process.wait(timeout=_STOP_SECONDS)  # wall-clock ok: it has closed stderr
        raise RuntimeError(
            f"jobsim serve exited with status {self._process.returncode} before serving:\n{self}"
        )

    def join(self) -> None:
        """Wait for the reader (the process has ended, so its stderr has too)."""
        self._thread.join(timeout=_STOP_SECONDS)  # wall-clock ok: bounded

    def __str__(self) -> str:
        return "\n".join(self._lines)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=_STOP_SECONDS)  # wall-clock ok: bounded stop
        except subprocess.TimeoutExpired:
            process.kill()
    process.wait(timeout=_STOP_SECONDS)  # wall-clock ok: bounded stop


def format_transcript(
    transcript: list[dict[str, Any]],
    limit: int | None = TRANSCRIPT_CALLS_DEFAULT,
    value_chars: int | None = TRANSCRIPT_CHARS_DEFAULT,
) -> str:
    """The transcript as text, one call a line: time, tool, arguments, and the outcome.

    Only the latest ``limit`` calls are shown, and each value is cut after
    ``value_chars`` characters, except a result's ``page_info``, always shown whole
    (``None``: no limit).
    """
    lines: list[str] = []
    if limit is not None and len(transcript) > limit:
        lines.append(
            f"... {len(transcript) - limit} earlier call(s) not shown "
            f"({FULL_TRANSCRIPT_FLAG} shows every call)"
        )
        transcript = transcript[-limit:] if limit else []
    for entry in transcript:
        arguments = _short(entry.get("arguments"), value_chars)
        if "error" in entry:
            error = entry["error"]
            outcome = f"!! {error.get('code')}: {error.get('message')}"
        else:
            outcome = f"-> {_short(entry.get('result'), value_chars)}"
        lines.append(f"{entry.get('at')} {entry.get('tool')} {arguments} {outcome}")
    return "\n".join(lines) if lines else "(no calls)"


def _short(value: Any, chars: int | None) -> str:
    text = _json(value)
    if chars is None or len(text) <= chars:
        return text
    cut = text[:chars] + f"... ({len(text) - chars} more characters)"
    if isinstance(value, dict) and "page_info" in value:
        # The field a pagination bug needs, and the last one of a page: never cut.
        cut += f" page_info: {_json(value['page_info'])}"
    return cut


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=False, default=repr)


def _transcript_sizes(config: pytest.Config) -> tuple[int | None, int | None]:
    """(calls, characters per value) of the transcript section, from the ini options,
    or (None, None) with the full-transcript flag."""
    if config.getoption(FULL_TRANSCRIPT_FLAG, False):
        return None, None
    sizes = []
    for name, default in (
        (TRANSCRIPT_CALLS_INI, TRANSCRIPT_CALLS_DEFAULT),
        (TRANSCRIPT_CHARS_INI, TRANSCRIPT_CHARS_DEFAULT),
    ):
        try:
            raw = config.getini(name)
        except ValueError:  # the plugin loaded by name without its entry point's options
            raw = default
        try:
            size = int(raw)
        except ValueError:
            raise pytest.UsageError(f"{name} = {raw!r}: expected a whole number") from None
        if size < 0:
            raise pytest.UsageError(f"{name} = {raw!r}: expected 0 or more")
        sizes.append(size)
    return sizes[0], sizes[1]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Add the simulator's transcript to the report of a failing test that used it."""
    report = yield
    if report.failed:
        sim = item.stash.get(_SIMULATOR, None)
        if sim is not None:
            calls, chars = _transcript_sizes(item.config)
            text = format_transcript(sim.transcript, calls, chars)
            report.sections.append((TRANSCRIPT_SECTION, text))
            report.sections.append((TIMELINE_SECTION, _write_timeline(item, sim, report.when)))
    return report


def artifact_path(item: pytest.Item, name: str) -> Path:
    """Where a failing test's file ``name`` goes: ``--jobsim-artifacts DIR`` (one folder
    per test, named after its node id) or the test's folder under pytest's temp dir."""
    folder = re.sub(r"[^\w.-]+", "_", item.nodeid).strip("_")[-120:] or "test"
    chosen = item.config.getoption("jobsim_artifacts", None)
    if chosen is not None:
        base = Path(chosen) / folder
        base.mkdir(parents=True, exist_ok=True)
    elif isinstance(used := getattr(item, "funcargs", {}).get("tmp_path"), Path):
        base = used  # the test's own tmp_path
    elif _TMP in item.stash:
        base = item.stash[_TMP].mktemp(folder[-30:], numbered=True)
    else:  # pragma: no cover - the jobsim fixture always stashes the factory
        base = Path(tempfile.mkdtemp(prefix="jobsim-"))
    return base / name


def _write_timeline(item: pytest.Item, sim: Simulator, when: str) -> str:
    from jobsim.timeline import write

    try:
        path = write(sim, artifact_path(item, f"timeline-{when}.html"))
    except Exception as error:  # a report must never fail for its picture
        return f"could not write the timeline: {type(error).__name__}: {error}"
    return f"timeline of the simulation: {path}"
