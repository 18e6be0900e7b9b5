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

// ---- The scenario form, built from the plan scenario's pydantic model (its JSON Schema at /api/scenario/schema).
// Each field keeps its key path in data-path (sites.0.grid_gw), so that every error of a validation marks its field.
const PLAIN_NUMBER = /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function schemaForm(schema, choices) {
  const defs = schema.$defs || {};
  let serial = 0;
  const resolve = (s) => { let out = s || {}; while (out.$ref) out = defs[out.$ref.split("/").pop()] || {}; return out; };
  const unwrap = (raw) => {  // anyOf [X, null] -> X (an empty field means "not set")
    const s = resolve(raw);
    if (s.anyOf) {
      const rest = s.anyOf.filter((x) => x.type !== "null");
      if (rest.length === 1) return Object.assign({}, resolve(rest[0]), {description: s.description, default: s.default});
    }
    return s;
  };
  const scalar = (text, s) => {
    if (text === "") return undefined;
    if ((s.type === "number" || s.type === "integer") && PLAIN_NUMBER.test(text)) return Number(text);
    return text;  // amounts such as 1.5M stay text: the server parses them as the CLI does
  };
  const row = (label, control, path, help, required) => {
    const box = el("div"); box.className = "field"; box.dataset.path = path.join(".");
    const name = el("label", label + (required ? " *" : ""));
    if (help) name.title = help;
    box.append(name, control);
    return box;
  };
  const button = (text, onClick) => { const b = el("button", text); b.type = "button"; b.className = "small"; b.addEventListener("click", onClick); return b; };

  function input(s, value, key, onChange) {
    const options = choices[key];
    if (s.enum) {
      const select = el("select");
      select.append(el("option", s.default !== undefined ? "(default: " + s.default + ")" : ""));
      select.options[0].value = "";
      for (const v of s.enum) { const o = el("option", String(v)); o.value = String(v); select.append(o); }
      select.value = value === undefined || value === null ? "" : String(value);
      select.addEventListener("change", () => onChange(select.value === "" ? undefined : select.value));
      return select;
    }
    if (s.type === "boolean") {
      const box = el("input"); box.type = "checkbox"; box.checked = value === undefined ? Boolean(s.default) : Boolean(value);
      box.addEventListener("change", () => onChange(box.checked));
      return box;
    }
    const field = el("input"); field.type = "text"; field.size = s.type === "string" ? 24 : 12;
    field.value = value === undefined || value === null ? "" : String(value);
    if (s.default !== undefined && s.default !== null && s.default !== "") field.placeholder = String(s.default);
    if (options) {  // catalogue ids offered, any text allowed (the server names what is wrong)
      serial += 1;
      const list = el("datalist"); list.id = "choices-" + key + "-" + serial;
      for (const v of options) { const o = el("option"); o.value = v; list.append(o); }
      field.setAttribute("list", list.id);
      const wrap = el("span"); wrap.append(field, list);
      field.addEventListener("input", () => onChange(scalar(field.value, s)));
      return wrap;
    }
    field.addEventListener("input", () => onChange(scalar(field.value, s)));
    return field;
  }

  function render(raw, value, path, key, onChange, required) {
    const s = unwrap(raw);
    if (s.oneOf) return union(s, value, path, key, onChange);
    if (s.type === "object" && s.properties) return object(s, value, path, onChange, required);
    if (s.type === "object") return mapping(s, value, path, key, onChange);
    if (s.type === "array") return array(s, value, path, key, onChange);
    return input(s, value, key, onChange);
  }

  function object(s, value, path, onChange, required) {
    const data = Object.assign({}, value || {});
    const box = el("fieldset"); box.className = "object";
    const needed = new Set(s.required || []);
    for (const [name, child] of Object.entries(s.properties)) {
      const childPath = path.concat([name]);
      const control = render(child, data[name], childPath, name, (v) => {
        if (v === undefined) delete data[name]; else data[name] = v;
        onChange(Object.keys(data).length || required ? Object.assign({}, data) : undefined);
      }, needed.has(name));
      box.append(row(name, control, childPath, unwrap(child).description || child.description, needed.has(name)));
    }
    return box;
  }

  function mapping(s, value, path, key, onChange) {  // {key: value} rows, e.g. {2026: 1.0, 2028: 2.5}
    const entries = Object.entries(value || {});
    const box = el("div"); box.className = "mapping";
    const emit = () => {
      const out = {};
      for (const [k, v] of entries) if (k !== "" && v !== undefined) out[k] = v;
      onChange(Object.keys(out).length ? out : undefined);
    };
    const draw = () => {
      box.replaceChildren();
      entries.forEach((entry, index) => {
        const line = el("div"); line.className = "entry"; line.dataset.path = path.concat([entry[0]]).join(".");
        const name = el("input"); name.type = "text"; name.size = 8; name.value = entry[0]; name.placeholder = "key";
        name.addEventListener("input", () => { entry[0] = name.value; line.dataset.path = path.concat([name.value]).join("."); emit(); });
        const control = render(s.additionalProperties || {type: "string"}, entry[1], path.concat([entry[0]]), key,
                               (v) => { entry[1] = v; emit(); }, false);
        line.append(name, el("span", " : "), control, button("remove", () => { entries.splice(index, 1); draw(); emit(); }));
        box.append(line);
      });
      box.append(button("+ add " + key, () => { entries.push(["", undefined]); draw(); }));
    };
    draw();
    return box;
  }

  function array(s, value, path, key, onChange) {
    const items = unwrap(s.items);
    const list = Array.isArray(value) ? value.slice() : [];
    const options = choices[key];
    if (items.type === "string" && options) {  // a set of catalogue ids: one checkbox each
      const box = el("div"); box.className = "choices";
      const known = new Set(options);
      for (const v of options.concat(list.filter((x) => !known.has(x)))) {
        const tick = el("input"); tick.type = "checkbox"; tick.value = v; tick.checked = list.includes(v);
        tick.addEventListener("change", () => {
          const picked = Array.from(box.querySelectorAll("input:checked")).map((x) => x.value);
          onChange(picked.length ? picked : undefined);
        });
        const label = el("label"); label.className = "choice"; label.append(tick, " " + v); box.append(label);
      }
      return box;
    }
    const box = el("div"); box.className = "array";
    const emit = () => { const out = list.filter((v) => v !== undefined); onChange(out.length ? out : undefined); };
    const draw = () => {
      box.replaceChildren();
      list.forEach((item, index) => {
        const itemPath = path.concat([index]);
        const line = el("div"); line.className = "item"; line.dataset.path = itemPath.join(".");
        line.append(el("b", key + " " + (index + 1)),
                    button("remove", () => { list.splice(index, 1); draw(); emit(); }),
                    render(items, item, itemPath, key, (v) => { list[index] = v; emit(); }, true));
        box.append(line);
      });
      box.append(button("+ add " + key, () => { list.push(items.type === "object" ? {} : undefined); draw(); }));
    };
    draw();
    return box;
  }

  function union(s, value, path, key, onChange) {  // e.g. existing: a list of rows, or {installed: ...}
    const variants = s.oneOf.map(resolve);
    const box = el("div"); box.className = "union";
    const select = el("select");
    variants.forEach((v, i) => { const o = el("option", v.title || (v.type === "array" ? "list of rows" : v.type)); o.value = String(i); select.append(o); });
    const none = el("option", "(not set)"); none.value = ""; select.prepend(none);
    const pick = value === undefined ? "" : String(Math.max(0, variants.findIndex((v) => (v.type === "array") === Array.isArray(value))));
    const slot = el("div");
    const draw = (index, current) => {
      slot.replaceChildren();
      if (index !== "") slot.append(render(variants[Number(index)], current, path, key, onChange, true));
    };
    select.value = pick;
    select.addEventListener("change", () => { onChange(undefined); draw(select.value, undefined); });
    draw(pick, value);
    box.append(select, slot);
    return box;
  }

  return (value, onChange) => object(schema, value, [], onChange, true);
}

function errorList(target, data) {
  // every error of a 422, one line each with its key path (loc after body/yaml)
  const items = Array.isArray(data.detail) ? data.detail : [{msg: String(data.detail || "request refused")}];
  target.replaceChildren(...items.map((d) => {
    const path = (Array.isArray(d.loc) ? d.loc : []).filter((p, i) => !(i < 2 && (p === "body" || p === "yaml")) && p !== "[key]");
    const li = el("li"); if (path.length) li.append(el("code", path.join("."))); li.append(" " + d.msg);
    li.dataset.path = path.join("."); return li;
  }));
  return items;
}

function markFields(form, items) {
  form.querySelectorAll(".invalid").forEach((node) => node.classList.remove("invalid"));
  form.querySelectorAll(".field-error").forEach((node) => node.remove());
  for (const d of items) {
    let path = (Array.isArray(d.loc) ? d.loc : []).filter((p, i) => !(i < 2 && (p === "body" || p === "yaml")) && p !== "[key]").map(String);
    while (path.length) {  // the deepest field on the page that the error's path runs through
      const node = form.querySelector('[data-path="' + CSS.escape(path.join(".")) + '"]');
      if (node) { node.classList.add("invalid"); const note = el("span", d.msg); note.className = "field-error"; node.append(note); break; }
      path = path.slice(0, -1);
    }
  }
}

function setupScenarios() {
  const text = document.getElementById("scenario-yaml"); if (!text) return;
  const errors = document.getElementById("scenario-errors");
  const progress = document.getElementById("scenario-progress");
  const formBox = document.getElementById("scenario-form");
  const bar = document.getElementById("scenario-bar");
  let job = null; let data = {}; let view = "form"; let build = null; let formEdited = false;
  const show = (name) => {
    view = name;
    formBox.hidden = name !== "form"; text.hidden = name !== "yaml";
    document.getElementById("view-form").classList.toggle("active", name === "form");
    document.getElementById("view-yaml").classList.toggle("active", name === "yaml");
  };
  const drawForm = () => { formBox.replaceChildren(build(data, (v) => { data = v || {}; formEdited = true; })); formEdited = false; };
  const fromYaml = async () => {  // the YAML view's text -> the form (parsed on the server, safely; not validated)
    const {ok, data: parsed} = await postJSON("/api/scenario/parse", {yaml: text.value});
    if (!ok) { errorList(errors, parsed); return false; }
    data = parsed.data; drawForm(); return true;
  };
  const toYaml = async () => {  // the form -> YAML text (comments of a loaded file are not kept)
    const response = await api("/api/scenario/yaml", {method: "POST", headers: {"Content-Type": "application/json"},
                                                      body: JSON.stringify({data})});
    if (response.ok) text.value = await response.text();
    return response.ok;
  };
  const current = async () => { if (view === "form" && formEdited) await toYaml(); return text.value; };
  const refused = (data) => { const items = errorList(errors, data); markFields(formBox, items); progress.textContent = ""; };
  const accepted = (message) => { errors.replaceChildren(); markFields(formBox, []); progress.textContent = message; };
  const load = async () => {
    const name = document.getElementById("scenario-name").value;
    const response = await api("/api/scenarios/" + encodeURIComponent(name));
    text.value = await response.text();
    if (build) await fromYaml();
  };
  document.getElementById("view-form").addEventListener("click", async () => { if (view === "yaml") { if (await fromYaml()) show("form"); } });
  document.getElementById("view-yaml").addEventListener("click", async () => { if (view === "form") { if (formEdited) await toYaml(); formEdited = false; show("yaml"); } });
  document.getElementById("scenario-load").addEventListener("click", load);
  document.getElementById("scenario-validate").addEventListener("click", async () => {
    const {ok, data: answer} = await postJSON("/api/scenario/validate", {yaml: await current()});
    if (ok) accepted("valid"); else refused(answer);
  });
  document.getElementById("scenario-run").addEventListener("click", async () => {
    const {ok, data: answer} = await postJSON("/api/plan", {yaml: await current()});
    if (!ok) { refused(answer); return; }
    accepted(""); job = answer.id; bar.hidden = false; bar.value = 0;
    const poll = async () => {
      const state = await (await api("/api/jobs/" + job)).json();
      progress.textContent = "job " + job + ": " + state.stage;
      if (typeof state.progress === "number") bar.value = state.progress;
      if (state.status === "done") {
        const link = el("a", "open run " + state.run_id); link.href = "/runs/" + state.run_id; link.id = "run-link";
        progress.replaceChildren(el("span", "job " + job + ": done · "), link);
      } else if (state.status === "failed") { errorList(errors, {detail: state.error}); }
      else if (state.status !== "cancelled") { setTimeout(poll, 500); }
    };
    poll();
  });
  document.getElementById("scenario-save").addEventListener("click", async () => {
    const name = document.getElementById("scenario-save-name").value.trim();
    const {ok, data: answer} = await postJSON("/api/scenarios/" + encodeURIComponent(name), {yaml: await current()});
    if (ok) accepted("saved as " + answer.saved); else refused(answer);
  });
  document.getElementById("scenario-cancel").addEventListener("click", async () => {
    if (job) await api("/api/jobs/" + job, {method: "DELETE"});
  });
  (async () => {
    const response = await api("/api/scenario/schema");
    const {schema, choices} = await response.json();
    build = schemaForm(schema, choices);
    await load();
    show("form");
  })();
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
  const bar = document.getElementById("sweep-bar");
  let job = null;
  run.addEventListener("click", async () => {
    const {ok, data} = await postJSON("/api/sweep", {experiment: document.getElementById("sweep-name").value,
                                                    resume: document.getElementById("sweep-resume").checked});
    if (!ok) { errors.textContent = Array.isArray(data.detail) ? data.detail.map((d) => d.msg).join("; ") : ""; return; }
    errors.textContent = ""; job = data.id; bar.hidden = false; bar.value = 0;
    const poll = async () => {
      const state = await (await api("/api/jobs/" + job)).json();
      progress.textContent = "job " + job + ": " + state.stage;
      if (typeof state.progress === "number") bar.value = state.progress;
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

// The site map: the figure and the shipped base map come from /api/sites; Plotly finds the map preloaded in
// window.PlotlyGeoAssets and never fetches one.
async function setupSites() {
  const target = document.getElementById("site-map"); if (!target) return;
  const query = target.dataset.run ? "?run=" + encodeURIComponent(target.dataset.run) : "";
  const map = await (await api("/api/sites" + query)).json();
  window.PlotlyGeoAssets = window.PlotlyGeoAssets || {topojson: {}};
  window.PlotlyGeoAssets.topojson = window.PlotlyGeoAssets.topojson || {};
  window.PlotlyGeoAssets.topojson[map.topojson_name] = map.topojson;
  await window.Plotly.newPlot(target, map.figure.data, map.figure.layout, map.config);
  const notes = document.getElementById("site-notes");
  if (map.unplaced && map.unplaced.length) notes.textContent = "Not on the map (no catalogue site): " + map.unplaced.join(", ");
  target.dataset.drawn = String(map.sites.length);
}

document.addEventListener("DOMContentLoaded", () => {
  setupEstimate(); setupCheck(); setupScenarios(); setupSweeps(); setupCatalog(); setupSites();
  const run = document.getElementById("run-chart"); if (run) plotRuns("run-chart", [run.dataset.run]);
  const compare = document.getElementById("compare-chart");
  if (compare) plotRuns("compare-chart", [compare.dataset.a, compare.dataset.b]);
});
