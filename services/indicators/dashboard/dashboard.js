// The logframe dashboard: renders /attainment and re-renders when /stream says it changed.
// No framework and no build step; the browser's HTTP cache revalidates with the API's ETag.
"use strict";

const AGE = { early_childhood: "0–5", childhood: "6–11", adolescence: "12–17", youth: "18–29",
  young_adults: "30–44", adults: "45–59", older_adults: "60+", unknown: "?", total: "Total" };
const SEX = { woman: "Mujeres", man: "Hombres", non_binary: "No binario",
  unknown: "Sin registro", total: "Total" };
const REGION = { lima_callao: "Lima y Callao", la_libertad: "La Libertad", piura: "Piura",
  tumbes: "Tumbes" };

const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const num = (n) => (typeof n === "number" ? n : null);
const fmt = (n) => (typeof n === "number" ? n.toLocaleString("es-PE") : esc(n));

let loading = false;
let again = false;
let source = null;

function query() {
  const params = new URLSearchParams();
  for (const name of ["logframe", "region"]) {
    const value = $(name).value;
    if (value) params.set(name, value);
  }
  // Published figures exist for fixed periods only (whole period, quarters, months): a
  // day range would be refused, since two ranges a day apart would give a person away.
  const [from, to] = $("period").value.split("|");
  if (from) { params.set("from", from); params.set("to", to); }
  return params.toString();
}

async function load() {
  if (loading) { again = true; return; }
  loading = true;
  try {
    const q = query();
    const res = await fetch(`/attainment?${q}`);
    const body = await res.json();
    if (!res.ok) throw new Error(typeof body.detail === "string" ? body.detail : res.statusText);
    $("error").hidden = true;
    render(body);
    $("csv").href = `/exports/donor.csv?${q}`;
    $("xlsx").href = `/exports/donor.xlsx?${q}`;
    document.body.dataset.loads = String(Number(document.body.dataset.loads || 0) + 1);
  } catch (err) {
    $("error").textContent = `Could not load the figures: ${err.message}`;
    $("error").hidden = false;
  } finally {
    loading = false;
    if (again) { again = false; load(); }
  }
}

function render(data) {
  $("title").textContent = data.title;
  $("window").textContent = `${data.start} – ${data.end}` +
    (data.region ? ` · ${REGION[data.region] || data.region}` : " · all regions");
  $("view-note").textContent = data.view === "exact" ? "Exact figures (M&E)." :
    "Protection (GBV) indicators: counts 0–4 show as <5, other counts rounded to a multiple of 5.";
  $("indicators").innerHTML = data.indicators.map(card).join("");
  const rebuilding = data.rebuilding;  // partial figures while the version is replayed
  $("rebuilding").hidden = !rebuilding;
  $("rebuilding").textContent = rebuilding ?
    `Reconstruyendo: cifras parciales (${Math.floor(rebuilding.progress * 100)} %) · ` +
    `Rebuilding: partial figures` : "";
}

function card(ind) {
  const pct = ind.percent === null ? null : ind.percent;
  const width = pct === null ? 0 : Math.min(100, pct);
  return `<section class="card${ind.id === "DIRECT" ? " overall" : ""}" data-indicator="${esc(ind.id)}">
    <h2>${esc(ind.id)} ${ind.sensitive ? '<span class="tag">protected</span>' : ""}</h2>
    <p class="title">${esc(ind.title)}</p>
    <div class="figure"><span class="value" data-field="value">${fmt(ind.value)}</span>
      ${ind.target === null ? '<span data-field="target">sin meta para esta región</span>' :
        `<span>of <span data-field="target">${fmt(ind.target)}</span> ${esc(ind.unit)}</span>`}
      <span data-field="percent">${pct === null ? "" : `· ${pct}%`}</span></div>
    <div class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="100"
      aria-valuenow="${width}"><span style="width:${width}%"></span></div>
    <details><summary>Sex × age group</summary><div class="scroll">${sexAge(ind)}</div></details>
    <details><summary>Regions</summary>${regions(ind)}</details>
    <details><summary>Monthly</summary>${chart(ind)}</details>
  </section>`;
}

function sexAge(ind) {
  const ages = Object.keys(ind.sex_age.total);
  const rows = Object.entries(ind.sex_age).filter(([sex, row]) =>
    sex !== "unknown" || (row.total !== 0 && row.total !== "<5"));
  const head = `<tr><th></th>${ages.map((a) => `<th>${AGE[a] || esc(a)}</th>`).join("")}</tr>`;
  const body = rows.map(([sex, row]) => `<tr class="${sex === "total" ? "total" : ""}">
    <td>${SEX[sex] || esc(sex)}</td>${ages.map((a) =>
      `<td class="${a === "total" ? "total" : ""}">${fmt(row[a])}</td>`).join("")}</tr>`).join("");
  return `<table>${head}${body}</table>`;
}

function regions(ind) {
  const max = Math.max(1, ...Object.values(ind.regions).map((n) => num(n) || 0));
  return `<div class="regions">${Object.entries(ind.regions).map(([r, n]) => `<div
    data-region="${esc(r)}"><span>${REGION[r] || esc(r)}</span><span class="rbar"
    style="width:${((num(n) || 0) / max) * 100}%"></span><span>${fmt(n)}</span></div>`).join("")}</div>`;
}

function chart(ind) {
  const months = ind.months;
  const w = 320, h = 130, pad = 18, bw = (w - pad) / Math.max(1, months.length);
  const maxNew = Math.max(1, ...months.map((m) => num(m.new) || 0));
  const maxCum = Math.max(1, ...months.map((m) => num(m.cumulative) || 0));
  const bars = months.map((m, i) => {
    const v = num(m.new) || 0, bh = (v / maxNew) * (h - 2 * pad);
    return `<rect x="${pad + i * bw + 1}" y="${h - pad - bh}" width="${bw - 2}" height="${bh}"
      fill="#99d5cf"><title>${esc(m.month)}: ${fmt(m.new)} new, ${fmt(m.cumulative)} total</title></rect>`;
  }).join("");
  const points = months.map((m, i) => [i, num(m.cumulative)]).filter(([, v]) => v !== null)
    .map(([i, v]) => `${pad + i * bw + bw / 2},${h - pad - (v / maxCum) * (h - 2 * pad)}`).join(" ");
  const labels = months.map((m, i) => (i % 3 === 0 ?
    `<text x="${pad + i * bw}" y="${h - 4}">${esc(m.month.slice(2))}</text>` : "")).join("");
  return `<svg class="chart" viewBox="0 0 ${w} ${h}" role="img"
    aria-label="New per month (bars) and cumulative (line)">${bars}
    <polyline points="${points}" fill="none" stroke="#0f766e" stroke-width="2"/>${labels}
    <text x="${pad}" y="10">max new ${maxNew} · total ${maxCum}</text></svg>`;
}

function connect() {
  if (source) source.close();
  const lf = $("logframe").value;
  source = new EventSource(`/stream${lf ? `?logframe=${encodeURIComponent(lf)}` : ""}`);
  source.addEventListener("revision", (e) => {
    document.body.dataset.revision = JSON.parse(e.data).revision;
    load();
  });
  source.onopen = () => $("live").classList.add("on");
  source.onerror = () => $("live").classList.remove("on");  // EventSource reconnects itself
}

function periods(catalog) {
  const lf = catalog.logframes.find((l) => l.key === ($("logframe").value || catalog.default));
  $("period").innerHTML = lf.periods.map((p) => `<option value="${p.kind === "period" ? "" :
    `${esc(p.from)}|${esc(p.to)}`}">${p.kind === "period" ? "Whole period" : esc(p.label)}</option>`)
    .join("");
}

async function start() {
  const res = await fetch("/logframes");
  const catalog = await res.json();
  // The version in the address (a shared link) first, else the one whose period includes today.
  const asked = new URLSearchParams(window.location.search).get("logframe");
  const keys = catalog.logframes.map((lf) => lf.key);
  const chosen = keys.includes(asked) ? asked : catalog.current || catalog.default;
  $("logframe").innerHTML = catalog.logframes.map((lf) =>
    `<option value="${esc(lf.key)}"${lf.key === chosen ? " selected" : ""}>${esc(lf.key)}</option>`).join("");
  periods(catalog);
  $("filters").addEventListener("change", (e) => {
    if (e.target.id === "logframe") {
      const address = new URL(window.location.href);
      address.searchParams.set("logframe", e.target.value);
      window.history.replaceState(null, "", address);
      periods(catalog);
      connect();
    }
    load();
  });
  connect();
  await load();
}

start();
