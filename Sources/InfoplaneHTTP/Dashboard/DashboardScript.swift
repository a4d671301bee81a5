/// The dashboard's script: loads a run from the API, draws the information plane and the
/// series as inline SVG (no library, no network beyond this daemon), follows /v1/events.
///
/// For tests and scripts, the drawn state is written into DOM attributes: the plane's
/// `<svg id="infoplane">` carries `data-layers`, each `<g class="trajectory">` its
/// `data-layer` and `data-points`; `<body data-ready="1">` once the first run is drawn.
///
/// Query parameters: `run=NAME` picks the run; `live=0` draws once and does not open the
/// event stream (a static snapshot: printing, `chromium --headless --dump-dom` or
/// `--screenshot`, which otherwise wait forever for the open stream to go idle).
enum DashboardScript {
    static let javascript = #"""
    "use strict";
    const SVGNS = "http://www.w3.org/2000/svg";
    const state = { run: null, pairing: 0, plane: null, series: null, scalars: null, alerts: [], reloadTimer: null, source: null };
    const $ = (id) => document.getElementById(id);
    const LIVE = new URLSearchParams(location.search).get("live") !== "0";

    async function getJSON(path) {
      const r = await fetch(path, { cache: "no-store" });
      if (!r.ok) throw new Error(path + ": " + r.status);
      return r.json();
    }

    function el(name, attrs, parent) {
      const e = document.createElementNS(SVGNS, name);
      for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
      if (parent) parent.appendChild(e);
      return e;
    }

    // Colour by step: a perceptually ordered ramp (dark violet early -> yellow late), as in
    // the information-bottleneck papers' figures.
    const RAMP = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
    function stepColour(t) {
      t = Math.max(0, Math.min(1, isFinite(t) ? t : 0));
      const x = t * (RAMP.length - 1), i = Math.min(Math.floor(x), RAMP.length - 2), f = x - i;
      const c = RAMP[i].map((v, k) => Math.round(v + f * (RAMP[i + 1][k] - v)));
      return "rgb(" + c.join(",") + ")";
    }
    const LAYER_COLOURS = ["#0071e3", "#d70015", "#248a3d", "#bf5af2", "#c93400", "#00a3a3", "#8e8e93", "#ff9f0a"];

    function niceTicks(lo, hi, n) {
      if (!(hi > lo)) { hi = lo + 1; }
      const span = hi - lo, step0 = Math.pow(10, Math.floor(Math.log10(span / n)));
      const step = [1, 2, 5, 10].map((m) => m * step0).find((s) => span / s <= n) || step0 * 10;
      const out = [];
      for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(+v.toFixed(10));
      return out;
    }

    // A frame with axes; returns {svg, x(v), y(v), plot group}.
    function frame(container, id, xr, yr, xlabel, ylabel, w, h) {
      container.innerHTML = "";
      const m = { l: 52, r: 16, t: 10, b: 40 };
      const svg = el("svg", { id: id, viewBox: "0 0 " + w + " " + h, role: "img" }, container);
      const x = (v) => m.l + (v - xr[0]) / (xr[1] - xr[0] || 1) * (w - m.l - m.r);
      const y = (v) => h - m.b - (v - yr[0]) / (yr[1] - yr[0] || 1) * (h - m.t - m.b);
      const grid = el("g", { class: "grid" }, svg), axis = el("g", { class: "axis" }, svg);
      for (const t of niceTicks(xr[0], xr[1], 8)) {
        el("line", { x1: x(t), x2: x(t), y1: m.t, y2: h - m.b }, grid);
        el("text", { x: x(t), y: h - m.b + 14, "text-anchor": "middle" }, axis).textContent = fmt(t);
      }
      for (const t of niceTicks(yr[0], yr[1], 6)) {
        el("line", { x1: m.l, x2: w - m.r, y1: y(t), y2: y(t) }, grid);
        el("text", { x: m.l - 6, y: y(t) + 4, "text-anchor": "end" }, axis).textContent = fmt(t);
      }
      el("path", { d: "M" + m.l + "," + m.t + "V" + (h - m.b) + "H" + (w - m.r), fill: "none" }, axis);
      el("text", { x: (m.l + w - m.r) / 2, y: h - 6, "text-anchor": "middle" }, axis).textContent = xlabel;
      el("text", { x: 12, y: (m.t + h - m.b) / 2, "text-anchor": "middle", transform: "rotate(-90 12 " + (m.t + h - m.b) / 2 + ")" }, axis).textContent = ylabel;
      const plot = el("g", { class: "plot" }, svg);
      return { svg, x, y, plot };
    }

    // Points whose estimate says nothing about the layer are drawn grey; their title says why.
    const FLAG_TEXT = {
      saturated: "saturated: the estimate sits at its ceiling (binning: every sample has its own bin pattern, so H(T) = log2 N) and says nothing about the layer; not fed to the alert rules",
      few_samples: "few samples: too few samples for the dimension the estimator saw; not fed to the alert rules",
      partial_frame: "partial frame: estimated on the chunks that came",
      lower_bound: "lower bound: estimated on compressed data; by the data processing inequality the layer's MI is at least this",
    };
    const isGreyed = (flags) => (flags || []).some((f) => f === "saturated" || f === "few_samples");
    const flagText = (flags) => (flags || []).map((f) => "\n" + (FLAG_TEXT[f] || f)).join("");

    function fmt(v) { return Math.abs(v) >= 1000 ? v.toExponential(1) : +v.toFixed(3) + ""; }

    function extent(values, pad) {
      let lo = Infinity, hi = -Infinity;
      for (const v of values) if (isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
      if (!isFinite(lo)) return [0, 1];
      if (hi === lo) { lo -= 0.5; hi += 0.5; }
      const p = (hi - lo) * (pad || 0.05);
      return [lo - p, hi + p];
    }

    function drawPlane() {
      const box = $("infoplane-chart");
      const pairings = (state.plane && state.plane.pairings) || [];
      const pairing = pairings[state.pairing];
      if (!pairing) {
        box.innerHTML = "";
        const svg = el("svg", { id: "infoplane", viewBox: "0 0 720 440", "data-layers": "0" }, box);
        el("text", { x: 360, y: 220, "text-anchor": "middle", class: "empty" }, svg).textContent = "no I(X;T) and I(T;Y) estimates yet";
        $("plane-caption").textContent = "";
        return;
      }
      const pts = pairing.layers.flatMap((l) => l.points);
      const steps = pts.map((p) => p.step), s0 = Math.min(...steps), s1 = Math.max(...steps);
      const f = frame(box, "infoplane", extent(pts.map((p) => p.x)), extent(pts.map((p) => p.y)),
                      "I(X;T) [" + pairing.x_units + "]", "I(T;Y) [" + pairing.y_units + "]", 720, 440);
      f.svg.setAttribute("data-layers", String(pairing.layers.length));
      f.svg.setAttribute("data-pairing", pairing.x_estimator + "/" + pairing.y_estimator);
      f.svg.setAttribute("data-split", pairing.split);
      pairing.layers.forEach((layer, i) => {
        const g = el("g", { class: "trajectory", "data-layer": layer.layer, "data-points": String(layer.points.length) }, f.plot);
        const d = layer.points.map((p, k) => (k ? "L" : "M") + f.x(p.x).toFixed(1) + "," + f.y(p.y).toFixed(1)).join("");
        el("path", { d: d, fill: "none", stroke: LAYER_COLOURS[i % LAYER_COLOURS.length], "stroke-opacity": "0.45", "stroke-width": "1.5" }, g);
        for (const p of layer.points) {
          const greyed = isGreyed(p.flags);
          const c = el("circle", { class: greyed ? "point flagged" : "point", cx: f.x(p.x).toFixed(1), cy: f.y(p.y).toFixed(1), r: "3.5",
                                   fill: greyed ? "#c7c7cc" : stepColour((p.step - s0) / ((s1 - s0) || 1)),
                                   stroke: greyed ? "#8e8e93" : LAYER_COLOURS[i % LAYER_COLOURS.length], "stroke-width": "0.8",
                                   "data-flags": (p.flags || []).join(" ") }, g);
          el("title", {}, c).textContent = layer.layer + " step " + p.step + ": (" + fmt(p.x) + ", " + fmt(p.y) + ")" + flagText(p.flags);
        }
        const last = layer.points[layer.points.length - 1];
        el("text", { x: f.x(last.x) + 6, y: f.y(last.y) - 6, fill: LAYER_COLOURS[i % LAYER_COLOURS.length] }, g).textContent = layer.layer;
      });
      $("plane-caption").textContent = "split " + pairing.split + ", " + pairing.x_estimator + " / " + pairing.y_estimator;
      $("step-legend").innerHTML = "";
      const legend = el("svg", { viewBox: "0 0 720 24" }, $("step-legend"));
      for (let k = 0; k < 100; k++) el("rect", { x: 60 + k * 6, y: 4, width: 6, height: 10, fill: stepColour(k / 99) }, legend);
      el("text", { x: 54, y: 13, "text-anchor": "end" }, legend).textContent = "step " + s0;
      el("text", { x: 666, y: 13 }, legend).textContent = "step " + s1;
    }

    function drawLines(box, lines, ylabel) {
      if (!lines.length) { box.innerHTML = "<p class=\"legend\">no points yet</p>"; return; }
      const all = lines.flatMap((l) => l.points);
      const f = frame(box, box.id + "-svg", extent(all.map((p) => p.step), 0), extent(all.map((p) => p.value)), "step", ylabel, 480, 260);
      lines.forEach((line, i) => {
        const g = el("g", { class: "series", "data-name": line.name, "data-points": String(line.points.length) }, f.plot);
        const colour = LAYER_COLOURS[i % LAYER_COLOURS.length];
        el("path", { d: line.points.map((p, k) => (k ? "L" : "M") + f.x(p.step).toFixed(1) + "," + f.y(p.value).toFixed(1)).join(""),
                     fill: "none", stroke: colour, "stroke-width": "1.5", "stroke-dasharray": line.dash || "" }, g);
        for (const p of line.points.filter((p) => isGreyed(p.flags))) {
          const c = el("circle", { class: "point flagged", cx: f.x(p.step).toFixed(1), cy: f.y(p.value).toFixed(1), r: "2.5",
                                   fill: "#c7c7cc", stroke: "#8e8e93", "data-flags": p.flags.join(" ") }, g);
          el("title", {}, c).textContent = line.name + " step " + p.step + ": " + fmt(p.value) + flagText(p.flags);
        }
        el("text", { x: 60 + (i % 3) * 140, y: 22 + Math.floor(i / 3) * 13, fill: colour }, g).textContent = line.name;
      });
    }

    function drawSeries() {
      const series = (state.series && state.series.series) || [];
      for (const box of [$("series-ixt"), $("series-ity"), $("series-dse")]) {
        const metric = box.dataset.metric;
        const chosen = series.filter((s) => s.metric === metric);
        const lines = chosen.map((s) => ({ name: s.layer + " " + s.estimator + (s.split !== "probe" ? " (" + s.split + ")" : ""),
                                           points: s.points, dash: s.estimator === "binning" ? "" : "4 2" }));
        drawLines(box, lines, metric + (chosen[0] ? " [" + chosen[0].units + "]" : ""));
      }
      const byName = {};
      for (const rec of (state.scalars && state.scalars.scalars) || []) {
        for (const [name, value] of Object.entries(rec.values)) {
          const key = name + " (" + rec.split + ")";
          (byName[key] = byName[key] || []).push({ step: rec.step, value: value });
        }
      }
      drawLines($("scalars-chart"), Object.entries(byName).map(([name, points]) => ({ name, points })), "value");
    }

    function drawAlerts() {
      const list = $("alert-list");
      list.innerHTML = "";
      list.setAttribute("data-alerts", String(state.alerts.length));
      if (!state.alerts.length) { list.innerHTML = "<li class=\"legend\">no alerts</li>"; return; }
      for (const a of state.alerts.slice().reverse()) {
        const li = document.createElement("li");
        li.className = "alert " + a.severity;
        li.dataset.id = a.id;
        const kind = document.createElement("span"); kind.className = "kind"; kind.textContent = a.kind;
        const msg = document.createElement("span"); msg.textContent = a.message;
        const meta = document.createElement("span"); meta.className = "meta";
        meta.textContent = (a.layer ? a.layer + ", " : "") + "step " + a.step + ", " + a.time;
        li.append(kind, msg, meta);
        list.appendChild(li);
      }
    }

    function fillPairings() {
      const picker = $("pairing-picker");
      const pairings = (state.plane && state.plane.pairings) || [];
      const previous = picker.value;
      picker.innerHTML = "";
      pairings.forEach((p, i) => {
        const o = document.createElement("option");
        o.value = String(i);
        o.textContent = p.x_estimator + " / " + p.y_estimator + " (" + p.split + ")";
        picker.appendChild(o);
      });
      if (previous && +previous < pairings.length) picker.value = previous;
      state.pairing = +picker.value || 0;
    }

    // How far estimation is behind training (the run detail's "estimation"; absent when
    // this daemon has received no frame of the run since it started).
    function drawLag(detail) {
      const el = $("estimation-lag");
      const e = detail && detail.estimation;
      el.dataset.framesWaiting = e ? String(e.frames_waiting) : "";
      el.dataset.lagSteps = e ? String(e.lag_steps) : "";
      if (!e) { el.textContent = ""; return; }
      let text = e.frames_waiting === 0 ? "estimated up to step " + e.newest_received_step
        : "estimated to step " + (e.newest_estimated_step ?? "–") + " of " + e.newest_received_step +
          " (" + e.lag_steps + " steps behind, " + e.frames_waiting + " frames waiting)";
      if (e.thinning_stride > 1) text += "; over budget: only every " + e.thinning_stride + "th step is kept";
      el.textContent = text;
    }

    async function loadRun() {
      const run = encodeURIComponent(state.run);
      const [plane, series, scalars, alerts, detail] = await Promise.all([
        getJSON("/v1/runs/" + run + "/infoplane"), getJSON("/v1/runs/" + run + "/series"),
        getJSON("/v1/runs/" + run + "/scalars"), getJSON("/v1/alerts?run=" + run), getJSON("/v1/runs/" + run)]);
      Object.assign(state, { plane, series, scalars, alerts: alerts.alerts });
      fillPairings();
      drawPlane(); drawSeries(); drawAlerts(); drawLag(detail);
      document.body.dataset.ready = "1";
      document.body.dataset.run = state.run;
    }

    function scheduleReload() {
      clearTimeout(state.reloadTimer);
      state.reloadTimer = setTimeout(() => loadRun().catch(showError), 300);
    }

    function showError(e) { $("live-status").textContent = String(e); $("live-status").className = "status"; }

    function follow() {
      if (state.source) state.source.close();
      if (!LIVE) { $("live-status").textContent = "snapshot (live=0)"; return; }
      const source = new EventSource("/v1/events?run=" + encodeURIComponent(state.run));
      state.source = source;
      source.onopen = () => { $("live-status").textContent = "live"; $("live-status").className = "status live"; };
      source.onerror = () => { $("live-status").textContent = "reconnecting…"; $("live-status").className = "status"; };
      source.addEventListener("points", scheduleReload);
      source.addEventListener("scalars", scheduleReload);
      source.addEventListener("resync", scheduleReload);
      source.addEventListener("alert", (e) => {
        const a = JSON.parse(e.data);
        if (!state.alerts.some((b) => b.id === a.id)) { state.alerts.push(a); drawAlerts(); }
      });
    }

    async function start() {
      const runs = (await getJSON("/v1/runs")).runs;
      const picker = $("run-picker");
      for (const r of runs) {
        const o = document.createElement("option");
        o.value = r.name; o.textContent = r.name;
        picker.appendChild(o);
      }
      const wanted = new URLSearchParams(location.search).get("run");
      state.run = wanted && runs.some((r) => r.name === wanted) ? wanted : (runs.length ? runs[runs.length - 1].name : null);
      if (!state.run) {
        drawPlane(); document.body.dataset.ready = "1";
        $("live-status").textContent = "no runs yet: start a training job with the infoplane client";
        if (LIVE) setTimeout(() => location.reload(), 5000);
        return;
      }
      picker.value = state.run;
      picker.onchange = () => { state.run = picker.value; history.replaceState(null, "", "?run=" + encodeURIComponent(state.run) + (LIVE ? "" : "&live=0")); loadRun().catch(showError); follow(); };
      $("pairing-picker").onchange = () => { state.pairing = +$("pairing-picker").value; drawPlane(); };
      await loadRun();
      follow();
    }

    start().catch(showError);
    """#
}
