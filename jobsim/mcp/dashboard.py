"""A read-only live dashboard of a served simulator, at ``/`` of ``jobsim serve --http``.

The server renders every panel as HTML (:func:`render_view`); a small script of
the page's own polls ``/dashboard/view`` twice a second and swaps the panels in
when the simulator has taken a call since (the answer is ``204`` otherwise), so
the page follows the simulation without a reload. Nothing is fetched from
anywhere else. The records come through :meth:`Simulator.peek`, the tools'
own serialisers, with no transcript entry: looking changes nothing.

With tokens (``--token TOKEN=PROJECT``) the page asks for one, the script sends
it as a bearer token, and the view shows that token's project only; a request
without a known token gets ``401`` and no data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from jobsim.errors import ToolError
from jobsim.lifecycle import STATUSES
from jobsim.mcp.guards import KnownTokens, foreign_host, missing_token
from jobsim.simulator import Simulator
from jobsim.timeline import draw

__all__ = ["VIEW_PATH", "dashboard_routes", "render_view"]

#: Where the page's script reads the rendered panels.
VIEW_PATH = "/dashboard/view"
#: The page polls this often (ms): a change shows within a second.
POLL_MS = 500
#: Rows per panel; the timeline draws at most ``TIMELINE_ROWS`` rows.
JOBS_SHOWN = 100
BATCHES_SHOWN = 50
CALLS_SHOWN = 20
EVENTS_SHOWN = 200
TIMELINE_ROWS = 200

_FILTERS = ("project", "status", "batch", "cron", "job")
_RENDERED = 16  # views kept for other pages polling the same state and filters


def dashboard_routes(
    sim: Simulator,
    tokens: Mapping[str, str] | None = None,
    *,
    hosts: Sequence[str] | None = None,
) -> list[Route]:
    """The routes of the dashboard of ``sim``: the page at ``/`` and its view.

    ``tokens`` (bearer token → project slug or id) as for ``/mcp``: with any, the
    view answers ``401`` to a request without a known token and shows each token
    its own project only. With ``hosts`` (the loopback names, when served on one),
    both answer ``421`` to a request whose ``Host`` names another (a page elsewhere
    reaching the dashboard by DNS rebinding), as the SDK guards ``/mcp``.
    """
    known = KnownTokens(tokens)
    rendered: dict[tuple[str, str | None, tuple[tuple[str, str], ...]], str] = {}

    def foreign(request: Request) -> Response | None:
        return foreign_host(request, hosts, "this dashboard")

    def page(request: Request) -> Response:
        if refused := foreign(request):
            return refused
        body = (
            '<main id="view"><p class="refused">This dashboard needs a token: enter one '
            "of the server's --token values above.</p></main>"
            if known
            else _view_main(sim, {}, None)
        )
        return HTMLResponse(_PAGE.format(needs_token="1" if known else "0", body=body))

    def view(request: Request) -> Response:
        if refused := foreign(request):
            return refused
        scope = known.project_of(request)
        if known and scope is None:
            return missing_token()
        version = str(sim.calls)
        if request.query_params.get("since") == version:
            return Response(status_code=204, headers={"X-Jobsim-Version": version})
        filters = {k: v for k in _FILTERS if (v := request.query_params.get(k))}
        key = (version, scope, tuple(sorted(filters.items())))
        html = rendered.get(key)
        if html is None:
            # Every open page polls: one rendering per state and filters serves them all.
            if len(rendered) >= _RENDERED:
                rendered.clear()
            html = rendered[key] = render_view(sim, filters, scope)
        return HTMLResponse(
            html, headers={"X-Jobsim-Version": version, "Cache-Control": "no-store"}
        )

    return [Route("/", page, methods=["GET"]), Route(VIEW_PATH, view, methods=["GET"])]


def _view_main(sim: Simulator, filters: Mapping[str, str], scope: str | None) -> str:
    return f'<main id="view" data-version="{sim.calls}">{render_view(sim, filters, scope)}</main>'


def render_view(sim: Simulator, filters: Mapping[str, str], scope: str | None = None) -> str:
    """Every panel of the dashboard as HTML, for ``filters`` (``project``, ``status``,
    ``batch``, ``cron``: what the jobs panel lists; ``job``: whose events are open).

    ``scope`` (a project slug or id) limits everything to that project."""
    snapshot = sim.snapshot(transcript=False)
    projects = snapshot["projects"]
    if scope is not None:
        found = sim.find_project(scope)
        projects = [p for p in projects if found is not None and p["id"] == found["id"]]
    ids = {p["id"] for p in projects}
    slugs = {p["id"]: p["slug"] for p in projects}
    batches = [b for b in snapshot["batches"] if b["project_id"] in ids]
    crons = [c for c in snapshot["cron_jobs"] if c["project_id"] in ids]
    chosen = filters.get("project")
    shown = [p for p in projects if chosen in (None, p["id"], p["slug"])]
    out = [
        '<section class="clock"><h2>Clock</h2>'
        f'<p><b id="now">{escape(sim.now)}</b> virtual time · {sim.calls:,} calls taken</p>'
        "</section>",
        _projects_panel(projects),
        _jobs_panel(sim, filters, shown, batches, crons),
        _batches_panel(sim, batches, slugs),
        _crons_panel(sim, projects),
        _events_panel(sim, filters.get("job"), snapshot["jobs"], ids),
        _calls_panel(sim, scope, projects),
        '<section class="timeline"><h2>Timeline</h2>'
        + draw(
            snapshot,
            max_rows=TIMELINE_ROWS,
            project=None if scope is None and len(shown) != 1 else shown[0]["id"],
        )
        + "</section>",
    ]
    return "\n".join(out)


def _projects_panel(projects: list[dict[str, Any]]) -> str:
    items = "".join(
        f"<li><b>{escape(p['slug'])}</b> <code>{escape(p['id'])}</code></li>" for p in projects
    )
    items = items or "<li>none yet</li>"
    return f'<section class="projects"><h2>Projects</h2><ul>{items}</ul></section>'


def _select(name: str, label: str, options: list[tuple[str, str]], current: str | None) -> str:
    opts = ['<option value="">all</option>'] + [
        f'<option value="{escape(value)}"{" selected" if value == current else ""}>'
        f"{escape(text)}</option>"
        for value, text in options
    ]
    return f'<label>{label} <select name="{name}">{"".join(opts)}</select></label>'


def _jobs_panel(
    sim: Simulator,
    filters: Mapping[str, str],
    shown: list[dict[str, Any]],
    batches: list[dict[str, Any]],
    crons: list[dict[str, Any]],
) -> str:
    status, batch, cron = filters.get("status"), filters.get("batch"), filters.get("cron")
    owner = {b["id"]: b["project_id"] for b in batches} | {c["id"]: c["project_id"] for c in crons}
    controls = "".join(
        [
            _select("project", "project", [(p["slug"], p["slug"]) for p in shown], None)
            if len(shown) > 1
            else "",
            _select("status", "status", [(s, s) for s in STATUSES], status),
            _select("batch", "batch", [(b["id"], b["id"][:8]) for b in batches], batch),
            _select("cron", "cron job", [(c["id"], c["name"]) for c in crons], cron),
        ]
    )
    rows: list[str] = []
    notes: list[str] = []
    for project in shown:
        if any(f is not None and owner.get(f) != project["id"] for f in (batch, cron)):
            continue  # the batch or cron job filtered for is not this project's
        args: dict[str, Any] = {"project_reference": project["id"], "limit": JOBS_SHOWN}
        for key, value in (("status", status), ("batch_id", batch), ("cron_job_id", cron)):
            if value is not None:
                args[key] = value
        try:
            page = sim.peek("list_jobs", args)
        except ToolError as error:
            notes.append(f"filter refused: {error}")
            continue
        if page["page_info"]["next"] is not None:
            notes.append(f"{project['slug']}: the latest {JOBS_SHOWN} jobs are shown")
        for job in page["data"]:
            rows.append(
                f'<tr data-open-job="{escape(job["id"])}" data-project="{escape(project["id"])}" '
                f'class="job {escape(job["status"])}" title="show this job\'s events">'
                f"<td>{escape(project['slug'])}</td><td>{escape(job['name'])}</td>"
                f'<td class="status">{escape(job["status"])}</td>'
                f"<td>{escape(job['target'])}</td><td>{escape(str(job['exit_code'] or ''))}</td>"
                f"<td>{escape(job['failed_reason'] or '')}</td>"
                f"<td>{escape(job['created_at'])}</td></tr>"
            )
    table = (
        "<table><thead><tr><th>project</th><th>name</th><th>status</th><th>target</th>"
        "<th>exit</th><th>reason</th><th>created</th></tr></thead><tbody>"
        + ("".join(rows) or '<tr><td colspan="7">no jobs match</td></tr>')
        + "</tbody></table>"
    )
    note = "".join(f'<p class="note">{escape(n)}</p>' for n in notes)
    return (
        f'<section class="jobs"><h2>Jobs</h2><form class="filters">{controls}</form>'
        f"{note}{table}</section>"
    )


def _batches_panel(sim: Simulator, batches: list[dict[str, Any]], slugs: dict[str, str]) -> str:
    rows = []
    latest = sorted(batches, key=lambda b: b["updated_ms"], reverse=True)[:BATCHES_SHOWN]
    for b in latest:
        record = sim.peek(
            "get_job_batch", {"project_reference": b["project_id"], "batch_id": b["id"]}
        )
        counts = " · ".join(f"{n} {s}" for s, n in record["status_counts"].items() if n)
        rows.append(
            f'<tr data-batch="{escape(b["id"])}"><td>{escape(slugs[b["project_id"]])}</td>'
            f"<td><code>{escape(b['id'])}</code></td><td>{record['job_count']}</td>"
            f"<td>{escape(counts)}</td></tr>"
        )
    more = (
        f'<p class="note">the {BATCHES_SHOWN} batches changed last are shown</p>'
        if len(batches) > BATCHES_SHOWN
        else ""
    )
    body = "".join(rows) or '<tr><td colspan="4">no batches</td></tr>'
    return (
        '<section class="batches"><h2>Batches</h2>'
        f"{more}<table><thead><tr><th>project</th><th>batch</th><th>jobs</th>"
        f"<th>status counts</th></tr></thead><tbody>{body}</tbody></table></section>"
    )


def _crons_panel(sim: Simulator, projects: list[dict[str, Any]]) -> str:
    rows = []
    for project in projects:
        page = sim.peek("list_cron_jobs", {"project_reference": project["id"], "limit": 100})
        for c in page["data"]:
            rows.append(
                f"<tr><td>{escape(project['slug'])}</td><td>{escape(c['name'])}</td>"
                f"<td><code>{escape(c['schedule'])}</code> {escape(c['timezone'])}</td>"
                f"<td>{escape(c['status'])}</td><td>{escape(c['last_scheduled_at'] or '')}</td>"
                f"</tr>"
            )
    body = "".join(rows) or '<tr><td colspan="5">no cron jobs</td></tr>'
    return (
        '<section class="crons"><h2>Cron jobs</h2><table><thead><tr><th>project</th>'
        "<th>name</th><th>schedule</th><th>status</th><th>last fired</th></tr></thead>"
        f"<tbody>{body}</tbody></table></section>"
    )


def _events_panel(
    sim: Simulator, job_id: str | None, jobs: list[dict[str, Any]], ids: set[str]
) -> str:
    head = '<section class="events" id="events"><h2>Events</h2>'
    if job_id is None:
        return (
            head
            + "<p>Click a job (a row, or a bar of the timeline) to see its events.</p></section>"
        )
    job = next((j for j in jobs if j["id"] == job_id and j["project_id"] in ids), None)
    if job is None:
        return head + f"<p>No job {escape(job_id)} here.</p></section>"
    page = sim.peek(
        "get_job_events",
        {
            "project_reference": job["project_id"],
            "job_id": job_id,
            "direction": "forward",
            "limit": EVENTS_SHOWN,
        },
    )
    rows = "".join(
        f'<tr class="{escape(e["level"])}"><td>{escape(e["timestamp"])}</td>'
        f"<td>{escape(e['level'])}</td><td>{escape(e['message'])}</td></tr>"
        for e in page["entries"]
    )
    return (
        f'{head}<p data-events-of="{escape(job_id)}">Job <b>{escape(job["name"])}</b> '
        f"<code>{escape(job_id)}</code> · {escape(job['status'])}</p>"
        f"<table><tbody>{rows}</tbody></table></section>"
    )


def _calls_panel(sim: Simulator, scope: str | None, projects: list[dict[str, Any]]) -> str:
    page = sim.peek("sim_get_transcript", {"limit": 1000 if scope else CALLS_SHOWN})
    entries = page["entries"]
    if scope is not None:
        refs = {ref for p in projects for ref in (p["id"], p["slug"])}
        entries = [e for e in entries if _reference(e) in refs]
    rows = []
    for e in entries[:CALLS_SHOWN]:
        outcome = "ok" if e["error"] is None else f"{e['error']['code']}: {e['error']['message']}"
        rows.append(
            f'<tr class="{"ok" if e["error"] is None else "error"}"><td>{e["index"]}</td>'
            f"<td>{escape(str(e['at']))}</td><td>{escape(str(e['tool']))}</td>"
            f"<td>{escape(outcome)}</td></tr>"
        )
    body = "".join(rows) or '<tr><td colspan="4">no calls</td></tr>'
    return (
        '<section class="calls"><h2>Latest calls</h2><table><thead><tr><th>#</th><th>at</th>'
        f"<th>tool</th><th>outcome</th></tr></thead><tbody>{body}</tbody></table></section>"
    )


def _reference(entry: dict[str, Any]) -> Any:
    arguments = entry["arguments"]
    return arguments.get("project_reference") if isinstance(arguments, dict) else None


_SCRIPT = """
(() => {
  const body = document.body, form = document.getElementById('token-form');
  const input = document.getElementById('token'), status = document.getElementById('status');
  const needsToken = body.dataset.needsToken === '1';
  const state = {project: '', status: '', batch: '', cron: '', job: ''};
  let token = sessionStorage.getItem('jobsim-token') || '';
  let version = (document.getElementById('view') || {dataset: {}}).dataset.version || '';
  let busy = false;
  const view = () => document.getElementById('view');
  async function refresh() {
    if (busy) return;
    if (needsToken && !token) { form.hidden = false; return; }
    busy = true;
    try {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(state)) if (v) q.set(k, v);
      if (version) q.set('since', version);
      const res = await fetch('VIEW_PATH?' + q, {
        cache: 'no-store', headers: token ? {Authorization: 'Bearer ' + token} : {}});
      if (res.status === 401) {
        token = ''; version = ''; sessionStorage.removeItem('jobsim-token');
        form.hidden = false;
        view().innerHTML = '<p class="refused">Token refused: enter a known token.</p>';
        return;
      }
      status.textContent = 'live';
      if (res.status === 204) return;
      if (needsToken) form.hidden = true;
      const text = await res.text();
      version = res.headers.get('X-Jobsim-Version') || '';
      view().innerHTML = text;
    } catch (error) {
      status.textContent = 'server not reachable';
    } finally {
      busy = false;
    }
  }
  document.addEventListener('change', (e) => {
    const name = e.target.name;
    if (!(name in state)) return;
    state[name] = e.target.value;
    version = '';
    refresh();
  });
  document.addEventListener('click', (e) => {
    const hit = e.target.closest('[data-open-job], g[data-job]');
    if (!hit) return;
    state.job = hit.dataset.openJob || hit.dataset.job;
    version = '';
    refresh();
  });
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    token = input.value.trim();
    sessionStorage.setItem('jobsim-token', token);
    version = '';
    refresh();
  });
  setInterval(refresh, POLL_MS);
  refresh();
})();
""".replace("VIEW_PATH", VIEW_PATH).replace("POLL_MS", str(POLL_MS))

_CSS = """
body{font-family:sans-serif;margin:0;color:#223;background:#fafbfc}
header{display:flex;gap:16px;align-items:center;padding:8px 16px;background:#223;color:#fff}
header h1{font-size:18px;margin:0}#status{font-size:12px;opacity:.8}
#token-form{padding:8px 16px;background:#fff3cd}
main{padding:8px 16px;display:grid;gap:12px;
grid-template-columns:repeat(auto-fit,minmax(420px,1fr))}
section{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:8px 12px;overflow:auto}
section.jobs,section.timeline{grid-column:1/-1}
h2{font-size:15px;margin:4px 0 8px}table{border-collapse:collapse;width:100%;font-size:12px}
th,td{text-align:left;padding:2px 6px;border-bottom:1px solid #eef0f3;vertical-align:top}
.events td:first-child,.calls td:nth-child(2){white-space:nowrap}
tr[data-open-job]{cursor:pointer}tr[data-open-job]:hover{background:#eef4ff}
.status{font-weight:bold}.completed .status{color:#2e9d57}.failed .status{color:#d64545}
.working .status{color:#3b82f6}.canceled .status{color:#8a8f98}
tr.error td,tr.warning td{color:#a33}.note{color:#a33;font-style:italic;font-size:12px}
.refused{color:#a33;font-weight:bold}.filters label{margin-right:12px;font-size:12px}
svg g.job{cursor:pointer}
"""

_PAGE = (
    '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
    "<title>jobsim dashboard</title><style>"
    + _CSS.replace("{", "{{").replace("}", "}}")
    + '</style></head>\n<body data-needs-token="{needs_token}">'
    '<header><h1>jobsim dashboard</h1><span id="status">read-only</span></header>'
    '<form id="token-form" hidden><label>Token <input id="token" type="password" '
    'autocomplete="off"></label> <button type="submit">Show</button></form>\n'
    "{body}\n<script>" + _SCRIPT.replace("{", "{{").replace("}", "}}") + "</script></body></html>\n"
)
