// The logframe dashboard: renders /attainment and re-renders when /stream says it changed.
// No framework and no build step; the browser's HTTP cache revalidates with the API's ETag.
// Labels come from the web app's catalogs (/dashboard/messages/<lang>.json): Spanish first.
// First paint reads the cards only (`series=none`); the charts follow with the series sized
// to the window: months up to two years, years beyond (never more than MAX_BARS bars).
// With a last report's date, each card says what changed since: today's figure against the
// figure as recorded by that day (`as_recorded_by`: late entries for months already reported).
"use strict";

const MAX_BARS = 24;
const AGE = { early_childhood: "0–5", childhood: "6–11", adolescence: "12–17", youth: "18–29",
  young_adults: "30–44", adults: "45–59", older_adults: "60+", unknown: "?", total: "Total" };
const ICON = { ahead: "▲", on_track: "●", behind: "▼", not_started: "○" };

const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const num = (n) => (typeof n === "number" ? n : null);
const lang = new URLSearchParams(window.location.search).get("lang") === "en" ? "en" : "es";
let labels = {};

function t(key, values = {}) {
  const text = labels[key] || key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in values ? values[name] : `{${name}}`));
}

// Numbers as the web app writes them: 26.500 and 12,5 in Spanish, 26,500 and 12.5 in English.
function fmt(n, decimals = 0) {
  if (typeof n !== "number") return esc(n);
  const text = n.toLocaleString("en-US", { minimumFractionDigits: decimals,
    maximumFractionDigits: decimals });
  return lang === "es" ? text.replace(/,/g, " ").replace(".", ",").replace(/ /g, ".") : text;
}

// dd/mm/aaaa, whatever the browser's locale.
const day = (iso) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(0, 4)}`;
const monthLabel = (ym) => `${ym.slice(5, 7)}/${ym.slice(2, 4)}`;

let loading = false;
let again = false;
// The read model's revision the cards show (from their answer's ETag) and the latest the stream
// announced: the stream announces the current one on connecting, which needs no second read.
let shown = null;
let latest = null;
let recheck = false;
let source = null;
let catalog = null;
const opened = new Set();  // the <details> a reader opened stay open across live updates

function query() {
  const params = new URLSearchParams();
  for (const name of ["logframe", "region"]) {
    const value = $(name).value;
    if (value) params.set(name, value);
  }
  // Published figures exist for fixed periods only (whole period, years, quarters, months): a
  // day range would be refused, since two ranges a day apart would give a person away.
  const [from, to] = $("period").value.split("|");
  if (from) { params.set("from", from); params.set("to", to); }
  return params.toString();
}

function monthsIn(from, to) {
  return (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 +
    Number(to.slice(5, 7)) - Number(from.slice(5, 7)) + 1;
}

async function fetchJson(url, revision = {}) {
  const res = await fetch(url);
  const body = await res.json();
  if (!res.ok) throw new Error(typeof body.detail === "string" ? body.detail : res.statusText);
  const tag = /\.(\d+)\.[0-9a-f]+"$/.exec(res.headers.get("ETag") || "");  // "<key>.<n>.<hash>"
  revision.n = tag ? Number(tag[1]) : null;
  return body;
}

async function load() {
  if (loading) { again = true; return; }
  loading = true;
  try {
    const q = query();
    const read = {};
    const cards = await fetchJson(`/attainment?${q}${q ? "&" : ""}series=none`, read);
    $("error").hidden = true;
    render(cards);
    shown = read.n;
    const reported = $("reported").value;
    if (reported) {
      const then = await fetchJson(`/attainment?${q}${q ? "&" : ""}series=none&as_recorded_by=${reported}`);
      sinceReport(cards, then, reported);
    }
    if (!document.body.dataset.firstPaint) {
      document.body.dataset.firstPaint = String(Math.round(performance.now()));
    }
    $("csv").href = `/exports/donor.csv?${q}`;
    $("xlsx").href = `/exports/donor.xlsx?${q}`;
    const series = monthsIn(cards.start, cards.end) <= MAX_BARS ? "month" : "year";
    const full = await fetchJson(`/attainment?${q}${q ? "&" : ""}series=${series}`);
    for (const ind of full.indicators) {
      const slot = document.querySelector(`[data-indicator="${CSS.escape(ind.id)}"] .chart-slot`);
      if (slot) slot.innerHTML = chart(ind, series, full.as_of);
    }
    document.body.dataset.loads = String(Number(document.body.dataset.loads || 0) + 1);
  } catch (err) {
    $("error").textContent = t("dashboard.error", { error: err.message });
    $("error").hidden = false;
  } finally {
    loading = false;
    if (again) { again = false; recheck = false; load(); }
    else if (recheck) { recheck = false; if (latest !== shown) load(); }
  }
}

function render(data) {
  $("title").textContent = data.title;
  $("window").textContent = `${day(data.start)} – ${day(data.end)} · ` +
    (data.region ? t(`code.${data.region}`) : t("dashboard.all_regions"));
  $("view-note").textContent = t(`dashboard.view_${data.view}`) + ".";
  const now = new Date(), two = (n) => String(n).padStart(2, "0");
  $("updated").textContent = t("dashboard.updated", { when: `${two(now.getDate())}/` +
    `${two(now.getMonth() + 1)}/${now.getFullYear()} ${two(now.getHours())}:${two(now.getMinutes())}` });
  const charts = new Map([...document.querySelectorAll("[data-indicator]")].map((c) =>
    [c.dataset.indicator, c.querySelector(".chart-slot").innerHTML]));
  $("indicators").innerHTML = data.indicators.map(card).join("") +
    (data.indirect ? indirectCard(data.indirect) : "");
  for (const c of document.querySelectorAll("[data-indicator]")) {  // until the new series come
    c.querySelector(".chart-slot").innerHTML = charts.get(c.dataset.indicator) || "";
  }
  for (const d of document.querySelectorAll("details[data-key]")) {
    d.open = opened.has(d.dataset.key);
  }
  const rebuilding = data.rebuilding;  // partial figures while the version is replayed
  $("rebuilding").hidden = !rebuilding;
  $("rebuilding").textContent = rebuilding ?
    t("dashboard.rebuilding", { percent: Math.floor(rebuilding.progress * 100) }) : "";
}

// Per card: today's figure less the one as recorded by the last report's day.
function sinceReport(now, then, reported) {
  const before = new Map(then.indicators.map((i) => [i.id, i.value]));
  for (const ind of now.indicators) {
    const slot = document.querySelector(`[data-indicator="${CSS.escape(ind.id)}"] [data-field="changed"]`);
    const was = before.get(ind.id);
    if (!slot || was === undefined) continue;
    slot.dataset.change = typeof ind.value === "number" && typeof was === "number" ? String(ind.value - was) : "";
    slot.textContent = slot.dataset.change ?
      t("dashboard.since_report", { change: `${ind.value >= was ? "+" : "−"}${fmt(Math.abs(ind.value - was))}`, day: day(reported) }) :
      t("dashboard.since_report_hidden", { day: day(reported), then: was });
  }
}

function card(ind) {
  const pct = ind.percent;
  const width = pct === null ? 0 : Math.min(100, pct);
  const expectedAt = ind.expected === null || !ind.target ? null :
    Math.min(100, (100 * ind.expected) / ind.target);
  const unit = t(`dashboard.unit.${ind.unit}`);
  const status = ind.status ? `<p class="status ${esc(ind.status)}" data-field="status">
    <span aria-hidden="true">${ICON[ind.status]}</span> ${t(`dashboard.status.${ind.status}`)}
    <span class="muted">· ${t("dashboard.expected", { expected: fmt(Math.round(ind.expected)) })}</span></p>` : "";
  const key = (kind) => `${ind.id}|${kind}`;
  return `<section class="card${ind.id === "DIRECT" ? " overall" : ""}" data-indicator="${esc(ind.id)}">
    <h2>${esc(ind.id)} ${ind.sensitive ? `<span class="tag">${t("dashboard.protected")}</span>` : ""}</h2>
    <p class="title">${esc((ind.titles && ind.titles[lang]) || ind.title)}</p>
    <div class="figure"><span class="value" data-field="value">${fmt(ind.value)}</span>
      ${ind.target === null ? `<span data-field="target">${t("dashboard.no_target")}</span>` :
        `<span>${t("dashboard.of", { target: `<span data-field="target">${fmt(ind.target)}</span>` })} ${esc(unit)}</span>`}
      <span data-field="percent">${pct === null ? "" : `· ${fmt(pct, 1)} %`}</span></div>
    <div class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="100"
      aria-valuenow="${width}"><span style="width:${width}%"></span>${expectedAt === null ? "" :
      `<i class="expected" style="left:${expectedAt}%" title="${t("dashboard.expected",
        { expected: fmt(Math.round(ind.expected)) })}"></i>`}</div>
    ${status}
    ${shares(ind)}
    <p class="changed muted small" data-field="changed"></p>
    <details data-key="${esc(key("sex_age"))}"><summary>${t("dashboard.sex_age")}</summary><div class="scroll">${sexAge(ind)}</div></details>
    <details data-key="${esc(key("sex_region"))}"><summary>${t("dashboard.sex_region")}</summary><div class="scroll">${sexBy(ind.sex_region, (r) => (r === "total" ? "Total" : t(`code.${r}`)))}</div></details>
    <details data-key="${esc(key("regions"))}"><summary>${t("dashboard.regions")}</summary>${regions(ind)}</details>
    ${dimensionTables(ind)}
    <div class="chart-slot" aria-busy="true"></div>
  </section>`;
}

// Indirect participants: a card of its own after the indicators (headcounts of group activities,
// never unique people, never in DIRECT), with its tables by sex x age, region and kind.
function indirectCard(ind) {
  const width = Math.min(100, ind.percent);
  const kinds = Object.entries(ind.by_kind).map(([k, n]) => `<div data-kind="${esc(k)}"><span>${
    esc((ind.kind_labels[k] || {})[lang] || k)}</span><span>${fmt(n)}</span></div>`).join("");
  return `<section class="card indirect" data-indirect="${esc(ind.id)}">
    <h2>${esc(ind.id)}</h2>
    <p class="title">${esc(ind.title)}</p>
    <div class="figure"><span class="value" data-field="value">${fmt(ind.value)}</span>
      <span>${t("dashboard.of", { target: `<span data-field="target">${fmt(ind.target)}</span>` })} ${esc(t("dashboard.unit.headcount"))}</span>
      <span data-field="percent">· ${fmt(ind.percent, 1)} %</span></div>
    <div class="bar" role="progressbar" aria-valuemin="0" aria-valuemax="100"
      aria-valuenow="${width}"><span style="width:${width}%"></span></div>
    <p class="muted small">${esc(t("dashboard.indirect"))} ${esc(t("dashboard.activities", { n: fmt(ind.activities) }))}</p>
    <details data-key="${esc(`${ind.id}|sex_age`)}"><summary>${t("dashboard.sex_age")}</summary><div class="scroll">${sexAge(ind)}</div></details>
    <details data-key="${esc(`${ind.id}|regions`)}"><summary>${t("dashboard.regions")}</summary>${regions(ind)}</details>
    <details data-key="${esc(`${ind.id}|kinds`)}"><summary>${t("dashboard.kinds")}</summary><div class="regions">${kinds}</div></details>
  </section>`;
}

function sexAge(ind) {
  return sexBy(ind.sex_age, (a) => AGE[a] || esc(a));
}

// A table of sex rows (a row with nobody of unrecorded sex left out) by `named` columns.
function sexBy(table, named) {
  if (!table || !table.total) return "";
  const ages = Object.keys(table.total);
  const rows = Object.entries(table).filter(([sex, row]) =>
    sex !== "unknown" || (row.total !== 0 && row.total !== "<5"));
  const head = `<tr><th></th>${ages.map((a) =>
    `<th class="${a === "total" ? "total" : ""}">${named(a)}</th>`).join("")}</tr>`;
  const body = rows.map(([sex, row]) => `<tr class="${sex === "total" ? "total" : ""}">
    <td>${t(`dashboard.sex.${sex}`)}</td>${ages.map((a) =>
      `<td class="${a === "total" ? "total" : ""}">${fmt(row[a])}</td>`).join("")}</tr>`).join("");
  return `<table>${head}${body}</table>`;
}

// Sex by each of the program's dimensions (country, ethnicity...): the answer carries their
// labels, so another program's dimensions need nothing here.
function dimensionTables(ind) {
  return (ind.dimensions || []).map((d) => `<details data-key="${esc(`${ind.id}|dim|${d.dimension}`)}"
    data-dimension="${esc(d.dimension)}"><summary>${t("dashboard.sex_by", { dimension: esc(d.labels[lang]) })}
    ${d.sensitive ? `<span class="tag">${t("dashboard.protected")}</span>` : ""}</summary>
    <div class="scroll">${sexBy(d.sex, (v) => (v === "total" ? "Total" : valueLabel(ind, d.dimension, v)))}</div></details>`).join("");
}

function valueLabel(ind, dimension, value) {
  if (dimension === "sex") return t(`dashboard.sex.${value}`);
  const d = (ind.dimensions || []).find((x) => x.dimension === dimension);
  return esc(d && d.value_labels[value] ? d.value_labels[value][lang] : value);
}

// Share targets ("85 % Roma"), read as shares of the card's own figure.
function shares(ind) {
  if (!ind.shares || !ind.shares.length) return "";
  return `<ul class="shares">${ind.shares.map((s) => {
    const state = s.met === null ? "" : s.met ? "met" : "unmet";
    const values = s.values.map((v) => valueLabel(ind, s.dimension, v)).join(", ");
    const text = t("dashboard.share", { values, at_least: fmt(s.at_least),
      percent: s.percent === null ? "–" : fmt(s.percent, 1) });
    return `<li class="${state}" data-share="${esc(s.dimension)}">${text}${state ?
      ` <span aria-hidden="true">${s.met ? "✓" : "✗"}</span> <span class="sr">${t(`dashboard.share_${state}`)}</span>` : ""}</li>`;
  }).join("")}</ul>`;
}

function regions(ind) {
  const max = Math.max(1, ...Object.values(ind.regions).map((n) => num(n) || 0));
  return `<div class="regions">${Object.entries(ind.regions).map(([r, n]) => `<div
    data-region="${esc(r)}"><span>${t(`code.${r}`)}</span><span class="rbar"
    style="width:${((num(n) || 0) / max) * 100}%"></span><span>${fmt(n)}</span></div>`).join("")}</div>`;
}

// Bars: new per month or year, up to today and at most MAX_BARS (the latest); line: the
// running total. The header's total is the card's own number, so a protected indicator's
// chart says what its table says.
function chart(ind, series, asOf) {
  const all = series === "month" ?
    (ind.months || []).filter((m) => m.month <= asOf.slice(0, 7)).map((m) =>
      ({ label: monthLabel(m.month), key: m.month, new: m.new, cumulative: m.cumulative })) :
    (ind.years || []).filter((y) => y.year <= asOf.slice(0, 4)).map((y) =>
      ({ label: y.year, key: y.year, new: y.new, cumulative: y.cumulative }));
  const buckets = all.slice(-MAX_BARS);
  const w = 320, h = 140, left = 6, right = 6, top = 22, bottom = 18;
  const bw = (w - left - right) / Math.max(1, buckets.length);
  const maxNew = Math.max(1, ...buckets.map((b) => num(b.new) || 0));
  const maxCum = Math.max(1, ...buckets.map((b) => num(b.cumulative) || 0));
  const plot = h - top - bottom;
  const bars = buckets.map((b, i) => {
    const v = num(b.new) || 0, bh = (v / maxNew) * plot;
    return `<rect class="col" x="${left + i * bw + 1}" y="${h - bottom - bh}" width="${Math.max(1, bw - 2)}"
      height="${bh}" data-new="${esc(b.new)}" data-cumulative="${esc(b.cumulative)}"><title>${esc(b.label)}: ${fmt(b.new)} ${t("dashboard.new")}, ${fmt(b.cumulative)} ${t("dashboard.cumulative")}</title></rect>`;
  }).join("");
  const points = buckets.map((b, i) => [i, num(b.cumulative)]).filter(([, v]) => v !== null)
    .map(([i, v]) => `${left + i * bw + bw / 2},${h - bottom - (v / maxCum) * plot}`).join(" ");
  const step = Math.max(1, Math.ceil(34 / bw));  // a label needs about 30 units of width
  const labels = buckets.map((b, i) => ((buckets.length - 1 - i) % step === 0 ?
    `<text class="axis" x="${left + i * bw + bw / 2}" y="${h - 5}" text-anchor="middle">${esc(b.label)}</text>` : ""))
    .join("");
  const unit = t(`dashboard.unit.${series}`);
  const title = t(series === "month" ? "dashboard.chart_month" : "dashboard.chart_year");
  return `<p class="chart-head">${title} · <span data-field="chart-total">${t("dashboard.chart_total",
    { total: fmt(ind.value) })}</span></p>
    <svg class="chart" viewBox="0 0 ${w} ${h}" role="img" data-series="${series}"
    aria-label="${t("dashboard.chart_aria", { unit })}">${bars}
    <polyline points="${points}" fill="none" stroke="#0f766e" stroke-width="2"/>${labels}</svg>`;
}

function connect() {
  if (source) source.close();
  shown = null;  // another version: its revisions are its own
  const lf = $("logframe").value;
  source = new EventSource(`/stream${lf ? `?logframe=${encodeURIComponent(lf)}` : ""}`);
  source.addEventListener("revision", (e) => {
    latest = JSON.parse(e.data).revision;
    document.body.dataset.revision = latest;
    if (loading) recheck = true;
    else if (latest !== shown) load();
  });
  source.onopen = () => $("live").classList.add("on");
  source.onerror = () => $("live").classList.remove("on");  // EventSource reconnects itself
}

function chosenLogframe() {
  return catalog.logframes.find((l) => l.key === ($("logframe").value || catalog.default));
}

// Years of the period up to this one (nothing to read in the future), the current one chosen.
function years() {
  const lf = chosenLogframe();
  const first = Number(lf.period.start.slice(0, 4));
  const now = new Date().getFullYear();
  const last = Math.max(first, Math.min(Number(lf.period.end.slice(0, 4)), now));
  const list = [];
  for (let y = last; y >= first; y -= 1) list.push(y);
  $("year").innerHTML = list.map((y) => `<option value="${y}">${y}</option>`).join("");
}

// A short list: the whole period, the program years of a life-of-project logframe (each in
// unique people), then the chosen calendar year's quarters and months (all published).
function periods() {
  const lf = chosenLogframe();
  const year = $("year").value;
  const whole = lf.periods.find((p) => p.kind === "period");
  const programYears = lf.periods.filter((p) => p.kind === "year");
  const mine = lf.periods.filter((p) => (p.kind === "quarter" || p.kind === "month") &&
    p.from.startsWith(year));
  const label = (p) => (p.kind === "year" ?
    t("dashboard.program_year", { label: p.label, first: day(p.from), last: day(p.to) }) :
    p.kind === "quarter" ?
    t("dashboard.quarter", { quarter: p.label.slice(-1), first: day(p.from), last: day(p.to) }) :
    `${p.from.slice(5, 7)}/${p.from.slice(0, 4)}`);
  $("period").innerHTML = `<option value="">${t("dashboard.whole_period")} (${day(whole.from)} – ${day(whole.to)})</option>` +
    [...programYears, ...mine].map((p) =>
      `<option value="${esc(p.from)}|${esc(p.to)}">${esc(label(p))}</option>`).join("");
}

// Last reports: the ends of the twelve months before this one (the figures as recorded then are
// answered in every view for a month's last day only), newest first, none chosen.
function reports() {
  const asked = new URLSearchParams(window.location.search).get("reported") || "";
  const two = (n) => String(n).padStart(2, "0");
  const ends = [];
  const now = new Date();
  for (let back = 0; back < 12; back += 1) {
    const end = new Date(now.getFullYear(), now.getMonth() - back, 0);
    ends.push(`${end.getFullYear()}-${two(end.getMonth() + 1)}-${two(end.getDate())}`);
  }
  $("reported").innerHTML = `<option value="">—</option>` + ends.map((d) =>
    `<option value="${d}"${d === asked ? " selected" : ""}>${day(d)}</option>`).join("");
}

function translatePage() {
  document.documentElement.lang = lang;
  for (const el of document.querySelectorAll("[data-t]")) el.textContent = t(el.dataset.t);
  const other = lang === "es" ? "en" : "es";
  const address = new URL(window.location.href);
  address.searchParams.set("lang", other);
  $("language").href = address.search;
  $("language").hreflang = other;
  $("language").textContent = t("dashboard.other_language");
  // The program's territories, every level (a country, then its municipalities), from /logframes.
  $("region").innerHTML = `<option value="">${t("dashboard.all_regions")}</option>` +
    (catalog.territories || []).map((u) =>
      `<option value="${esc(u.code)}">${esc(u.labels[lang] || u.code)}</option>`).join("");
  document.title = `Pana · ${t("dashboard.title")}`;
}

async function start() {
  [labels, catalog] = await Promise.all([
    fetchJson(`/dashboard/messages/${lang}.json`), fetchJson("/logframes")]);
  translatePage();
  // The version in the address (a shared link) first, else the one whose period includes today.
  const asked = new URLSearchParams(window.location.search).get("logframe");
  const keys = catalog.logframes.map((lf) => lf.key);
  const chosen = keys.includes(asked) ? asked : catalog.current || catalog.default;
  $("logframe").innerHTML = catalog.logframes.map((lf) =>
    `<option value="${esc(lf.key)}"${lf.key === chosen ? " selected" : ""}>${esc(lf.key)}</option>`).join("");
  years();
  periods();
  reports();
  $("filters").addEventListener("change", (e) => {
    if (e.target.id === "logframe") {
      const address = new URL(window.location.href);
      address.searchParams.set("logframe", e.target.value);
      window.history.replaceState(null, "", address);
      years();
      periods();
      connect();
    }
    if (e.target.id === "year") periods();
    load();
  });
  $("indicators").addEventListener("toggle", (e) => {
    const key = e.target.dataset && e.target.dataset.key;
    if (key) { if (e.target.open) opened.add(key); else opened.delete(key); }
  }, true);
  const first = load();  // its answer was preloaded (the page's head): asked before the stream
  connect();
  await first;
}

start();
