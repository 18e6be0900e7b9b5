// gigafleet web UI: no framework, no inline scripts. Talks to the JSON API.
"use strict";

function formData(form) {
  const data = {};
  for (const [key, value] of new FormData(form).entries()) {
    if (value === "") continue;
    if (key === "claim_share_of") { data[key] = [value]; } else { data[key] = value; }
  }
  return data;
}

// Same-origin fetch: the session cookie (set when the page was opened with ?token=...) authenticates it.
// A 401 means the session is gone (server restarted with a new token): reload to show the token form.
async function api(url, options) {
  const response = await fetch(url, Object.assign({credentials: "same-origin"}, options || {}));
  if (response.status === 401) window.location.reload();
  return response;
}

async function postJSON(url, body) {
  const response = await api(url, {method: "POST", headers: {"Content-Type": "application/json"},
                                   body: JSON.stringify(body)});
  const data = await response.json().catch(() => ({}));
  return {ok: response.ok, status: response.status, data};
}

function showErrors(form, data) {
  form.querySelectorAll(".error").forEach((el) => { el.textContent = ""; });
  const details = Array.isArray(data.detail) ? data.detail : [];
  let shown = false;
  for (const item of details) {
    const field = Array.isArray(item.loc) ? item.loc[item.loc.length - 1] : "";
    const target = document.getElementById("error-" + field) || document.getElementById("error-accelerators");
    if (target) { target.textContent = item.msg; shown = true; }
  }
  return shown;
}

function el(tag, text) { const node = document.createElement(tag); if (text !== undefined) node.textContent = text; return node; }

function renderEstimate(result) {
  // the numbers arrive printed by the server's one formatter (/api/estimate?display=true), as in the CLI table
  const table = el("table"); table.id = "estimate-table";
  const head = el("tr"); ["Quantity", "P10", "P50", "P90"].forEach((h) => head.appendChild(el("th", h)));
  table.appendChild(head);
  for (const row of result.display || []) {
    const tr = el("tr"); tr.appendChild(el("td", row.label));
    for (const p of ["p10", "p50", "p90"]) tr.appendChild(el("td", row[p]));
    table.appendChild(tr);
  }
  const box = document.getElementById("estimate-result"); box.replaceChildren(table);
  const layers = ["chip_power_gw", "server_power_gw", "it_power_gw", "facility_power_gw", "grid_connection_gw"];
  const trace = {type: "bar", x: ["chip", "server", "IT", "facility", "grid"], y: layers.map((k) => result[k].p50),
    error_y: {type: "data", symmetric: false, array: layers.map((k) => result[k].p90 - result[k].p50),
              arrayminus: layers.map((k) => result[k].p50 - result[k].p10)}};
  window.Plotly.react("estimate-chart", [trace], {title: {text: "Power layers, chip → grid (GW)"}, margin: {t: 40}});
}

function setupEstimate() {
  const form = document.getElementById("estimate-form"); if (!form) return;
  let timer = null;
  const run = async () => {
    const {ok, data} = await postJSON("/api/estimate?display=true", formData(form));
    if (!ok) {  // a refused input leaves no stale result on screen
      showErrors(form, data);
      document.getElementById("estimate-result").replaceChildren(el("p", "Fix the input marked above to see the estimate."));
      window.Plotly.purge("estimate-chart");
      return;
    }
    showErrors(form, {}); renderEstimate(data);
  };
  form.addEventListener("submit", (event) => { event.preventDefault(); run(); });
  form.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(run, 400); });
  run();
}

function setupCheck() {
  const form = document.getElementById("check-form"); if (!form) return;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const {ok, data} = await postJSON("/api/check", formData(form));
    const box = document.getElementById("check-result");
    if (!ok) { showErrors(form, data); box.replaceChildren(); return; }
    showErrors(form, {});
    const list = el("ul"); list.id = "check-verdicts";
    for (const claim of data.claims) list.appendChild(el("li", claim.verdict));
    box.replaceChildren(list);
  });
}

function setupScenarios() {
  const text = document.getElementById("scenario-yaml"); if (!text) return;
  const errors = document.getElementById("scenario-errors");
  const progress = document.getElementById("scenario-progress");
  let job = null;
  const load = async () => {
    const name = document.getElementById("scenario-name").value;
    const response = await api("/api/scenarios/" + encodeURIComponent(name));
    text.value = await response.text();
  };
  const message = (data) => (Array.isArray(data.detail) ? data.detail.map((d) => d.msg).join("; ") : String(data.detail || ""));
  document.getElementById("scenario-load").addEventListener("click", load);
  document.getElementById("scenario-validate").addEventListener("click", async () => {
    const {ok, data} = await postJSON("/api/scenario/validate", {yaml: text.value});
    errors.textContent = ok ? "" : message(data);
    progress.textContent = ok ? "valid" : "";
  });
  document.getElementById("scenario-run").addEventListener("click", async () => {
    const {ok, data} = await postJSON("/api/plan", {yaml: text.value});
    if (!ok) { errors.textContent = message(data); return; }
    errors.textContent = ""; job = data.id;
    const poll = async () => {
      const state = await (await api("/api/jobs/" + job)).json();
      progress.textContent = "job " + job + ": " + state.stage;
      if (state.status === "done") {
        const link = el("a", "open run " + state.run_id); link.href = "/runs/" + state.run_id; link.id = "run-link";
        progress.replaceChildren(el("span", "job " + job + ": done · "), link);
      } else if (state.status === "failed") { errors.textContent = state.error; }
      else if (state.status !== "cancelled") { setTimeout(poll, 500); }
    };
    poll();
  });
  document.getElementById("scenario-save").addEventListener("click", async () => {
    const name = document.getElementById("scenario-save-name").value.trim();
    const {ok, data} = await postJSON("/api/scenarios/" + encodeURIComponent(name), {yaml: text.value});
    errors.textContent = ok ? "" : message(data);
    progress.textContent = ok ? "saved as " + data.saved : "";
  });
  document.getElementById("scenario-cancel").addEventListener("click", async () => {
    if (job) await api("/api/jobs/" + job, {method: "DELETE"});
  });
  load();
}

async function plotRuns(target, ids) {
  const traces = [];
  for (const id of ids) {
    const run = await (await api("/api/runs/" + id)).json();
    traces.push({type: "scatter", mode: "lines+markers", name: id + " (" + (run.scenario || {}).name + ")",
                 x: run.years.map((y) => y.year), y: run.years.map((y) => y.h100e)});
  }
  window.Plotly.react(target, traces, {title: {text: "H100-equivalents in service"}, margin: {t: 40}});
}

function setupSweeps() {
  const run = document.getElementById("sweep-run"); if (!run) return;
  const errors = document.getElementById("sweep-errors");
  const progress = document.getElementById("sweep-progress");
  let job = null;
  run.addEventListener("click", async () => {
    const {ok, data} = await postJSON("/api/sweep", {experiment: document.getElementById("sweep-name").value,
                                                    resume: document.getElementById("sweep-resume").checked});
    if (!ok) { errors.textContent = Array.isArray(data.detail) ? data.detail.map((d) => d.msg).join("; ") : ""; return; }
    errors.textContent = ""; job = data.id;
    const poll = async () => {
      const state = await (await api("/api/jobs/" + job)).json();
      progress.textContent = "job " + job + ": " + state.stage;
      if (state.status === "done") {
        const link = el("a", "open report " + state.sweep_id);
        link.href = "/api/sweeps/" + state.sweep_id + "/report"; link.id = "sweep-link";
        progress.replaceChildren(el("span", "job " + job + ": " + state.stage + " · "), link);
      } else if (state.status === "failed") { errors.textContent = state.error; }
      else if (state.status !== "cancelled") { setTimeout(poll, 700); }
    };
    poll();
  });
  document.getElementById("sweep-cancel").addEventListener("click", async () => {
    if (job) await api("/api/jobs/" + job, {method: "DELETE"});
  });
}

// The catalogue table: filter rows by every word typed (any column), sort by a heading (numbers by value).
function setupCatalog() {
  const table = document.getElementById("catalog-table"); if (!table) return;
  const search = document.getElementById("catalog-search");
  const count = document.getElementById("catalog-count");
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  const filter = () => {
    const words = search.value.toLowerCase().split(/\s+/).filter((w) => w);
    let shown = 0;
    for (const row of rows) {
      const text = row.textContent.toLowerCase();
      const keep = words.every((w) => text.includes(w));
      row.hidden = !keep; if (keep) shown += 1;
    }
    count.textContent = shown + " of " + rows.length + " rows";
  };
  search.addEventListener("input", filter);
  let last = null; let ascending = true;
  table.tHead.querySelectorAll("th").forEach((th) => th.addEventListener("click", () => {
    const column = Number(th.dataset.sort);
    ascending = last === column ? !ascending : true; last = column;
    const key = (row) => {
      const cell = row.cells[column];
      return cell.dataset.value !== undefined ? Number(cell.dataset.value) : cell.textContent.toLowerCase();
    };
    rows.sort((a, b) => { const x = key(a); const y = key(b); return (x < y ? -1 : x > y ? 1 : 0) * (ascending ? 1 : -1); });
    body.replaceChildren(...rows);
  }));
  filter();
}

document.addEventListener("DOMContentLoaded", () => {
  setupEstimate(); setupCheck(); setupScenarios(); setupSweeps(); setupCatalog();
  const run = document.getElementById("run-chart"); if (run) plotRuns("run-chart", [run.dataset.run]);
  const compare = document.getElementById("compare-chart");
  if (compare) plotRuns("compare-chart", [compare.dataset.a, compare.dataset.b]);
});
