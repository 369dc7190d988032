// labsim live panel: the browser side of labsim.viz.livepanel.Panel (an anywidget).
// Loaded once per page (see loader.js). The kernel sends each run as ONE "view" message;
// banner, picture and event list are redrawn from it together. Topology drawings are kept
// per page under their key, so a toggle that keeps the world sends only the packets.
const NS = "http://www.w3.org/2000/svg";
const MAX_SCALE = 1.45;                // CSS px per picture unit at most (labels of 9.2 units: 13 px)
const topologies = new Map();          // key -> SVG group text (shared by every panel on the page)

function h(tag, cls, text, parent) {
  const node = document.createElement(tag);
  if (cls) { node.className = cls; }
  if (text !== undefined && text !== null && text !== "") { node.textContent = text; }
  if (parent) { parent.appendChild(node); }
  return node;
}
function s(name, attrs, parent) {
  const node = document.createElementNS(NS, name);
  for (const k in attrs) { node.setAttribute(k, attrs[k]); }
  if (parent) { parent.appendChild(node); }
  return node;
}
// a value that must not break inside (an address, a host name, "[rule 2]")
function tok(text, parent, cls) { return h("span", "labsim-tok" + (cls ? " " + cls : ""), text, parent); }
const ESC = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };
function esc(text) { return String(text).replace(/[&<>"']/g, (c) => ESC[c]); }
// running text as HTML: it wraps at spaces only. A browser also breaks after a hyphen or a slash,
// so every word holding one ("server-b.example.org", "[SYN-ACK]", "1.2.0.0/16") is kept whole;
// the kernel glued "dst = 1.2.0.53" with no-break spaces.
function toks(text) {
  return String(text).split(/(\s+)/).map((w) => (/[-\/]/.test(w) && !/^\s+$/.test(w))
    ? '<span class="labsim-tok">' + esc(w) + "</span>" : esc(w)).join("");
}
function prose(text, parent) { parent.insertAdjacentHTML("beforeend", toks(text)); return parent; }

export function render({ model, el }) {
  const st = model.get("static");
  el.classList.add("labsim-panel", "labsim-panel-" + st.id);
  el.setAttribute("lang", "en");
  el.setAttribute("data-lm-suppress-shortcuts", "true");
  el.setAttribute("data-p-suppress-shortcuts", "true");
  el.textContent = "";

  // ---------------------------------------------------------------- header and toggles
  const head = h("div", "labsim-head", "", el);
  h("b", "labsim-title", st.title, head);
  h("span", "labsim-where", " (" + (st.where || st.id) + ")", head);
  const about = h("details", "labsim-about", "", head);
  h("summary", "", "what is this?", about);
  prose(st.summary + (st.notes ? " (" + st.notes + ")" : ""), h("div", "", "", about));

  const controls = h("div", "labsim-controls", "", el);
  const inputs = {};
  const meanings = {};
  st.toggles.forEach((t) => {
    const row = h("div", "labsim-control-row labsim-toggle labsim-toggle-" + t.name, "", controls);
    row.setAttribute("role", "group");
    row.setAttribute("aria-label", t.name);
    const name = h("span", "labsim-toggle-name", t.name, row);
    name.title = t.help;
    const maxLen = Math.max.apply(null, t.values.map((v) => v.length));
    if (t.values.length <= 3 && maxLen <= 12) {
      const group = h("span", "labsim-choices", "", row);
      const buttons = t.values.map((v) => {
        const b = h("button", "labsim-choice", v, group);
        b.type = "button";
        b.setAttribute("data-value", v);
        b.title = t.meanings[v] || "";
        b.addEventListener("click", (ev) => choose(t.name, v, ev));
        return b;
      });
      inputs[t.name] = { set: (v) => buttons.forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.value === v))) };
    } else {
      const sel = h("select", "labsim-select", "", row);
      sel.setAttribute("aria-label", t.name);
      t.values.forEach((v) => { const o = h("option", "", v, sel); o.value = v; o.title = t.meanings[v] || ""; });
      sel.addEventListener("change", (ev) => choose(t.name, sel.value, ev));
      inputs[t.name] = { set: (v) => { sel.value = v; } };
    }
    meanings[t.name] = h("span", "labsim-meaning", "", row);
  });
  function showChoice(choice) {
    st.toggles.forEach((t) => {
      inputs[t.name].set(choice[t.name]);
      meanings[t.name].textContent = "";
      prose(t.meanings[choice[t.name]] || "", meanings[t.name]);
    });
  }
  function choose(name, value, ev) {
    const choice = Object.assign({}, model.get("choice"));
    if (choice[name] === value) { return; }
    choice[name] = value;
    el.setAttribute("data-pending", "1");
    el.__labsimClickedAt = ev && ev.timeStamp ? ev.timeStamp : performance.now();   // when the click happened
    el.__labsimClickedEpoch = Date.now();
    showChoice(choice);
    model.set("choice", choice);
    model.save_changes();
    const known = ahead.get(keyOf(choice));    // sent ahead by the kernel, or shown before: draw it now
    if (known) { apply(known, true); }
  }
  function keyOf(choice) {
    const sorted = {};
    Object.keys(choice).sort().forEach((k) => { sorted[k] = choice[k]; });
    return JSON.stringify(sorted);
  }

  // ---------------------------------------------------------------- verdicts, picture, player
  const banner = h("div", "labsim-banner", "", el);
  banner.setAttribute("aria-live", "polite");
  const main = h("div", "labsim-main", "", el);
  const stageBox = h("div", "labsim-stagebox", "", main);
  // the picture first, then the player's buttons and the now-line under it (as under a video): toggles,
  // verdicts and the whole picture fit one screen, and the buttons sit next to the event they step through
  const stage = h("figure", "labsim-stage", "", stageBox);
  const svg = s("svg", { "class": "labsim-svg", role: "img" }, stage);
  const topoLayer = s("g", { "class": "lsp-topo-layer" }, svg);
  const trailLayer = s("g", { "class": "lsp-trail-layer" }, svg);
  const live = s("g", { "class": "lsp-live" }, svg);
  const focus = s("rect", { "class": "lsp-focus", width: 2 * st.box[0], height: 2 * st.box[1], rx: 7, fill: "none",
                            stroke: "#1a1a1a", "stroke-width": 2.6, "stroke-dasharray": "6 3", visibility: "hidden" }, live);
  const token = s("path", { "class": "lsp-token", "stroke-width": 0.16, "stroke-linejoin": "round", visibility: "hidden" }, live);
  const bar = h("div", "labsim-toolbar", "", stageBox);
  bar.setAttribute("role", "toolbar");
  bar.setAttribute("aria-label", "step through the events");
  function button(cls, text, title, action) {
    const b = h("button", cls, text, bar);
    b.type = "button";
    b.title = title;
    b.addEventListener("click", (ev) => { ev.preventDefault(); action(); });
    return b;
  }
  button("labsim-first", "\u00ab first", "first event (Home)", () => { stop(); go(nextShown(-1, 1), false); });
  button("labsim-prev", "\u2039 back", "previous event (left arrow)", () => { stop(); step(-1); });
  const playButton = button("labsim-play", "\u25b6 play", "play the run (space)", () => toggle());
  button("labsim-next", "next \u203a", "next event (right arrow)", () => { stop(); step(1); });
  button("labsim-last", "last \u00bb", "last event (End)", () => { stop(); go(nextShown(n, -1), false); });
  const label = h("span", "labsim-step", "", bar);
  label.setAttribute("aria-live", "polite");
  const now = h("div", "labsim-now", "", stageBox);
  now.setAttribute("aria-live", "polite");

  const side = h("div", "labsim-side", "", main);
  const legend = h("div", "labsim-legend", "", side);
  h("b", "", "Packets ", legend);
  const occasional = [];         // [state, entry]: listed only while the run's picture draws that state
  st.legend.forEach((item) => {
    const entry = h("span", "labsim-legend-item", "", legend);
    entry.setAttribute("data-state", item[0]);
    const g = s("svg", { viewBox: "-1.2 -1.2 2.4 2.4", width: 14, height: 14, "aria-hidden": "true" }, entry);
    s("path", { d: item[4], fill: item[2], stroke: item[3], "stroke-width": 0.16 }, g);
    entry.appendChild(document.createTextNode(" " + item[1]));
    if (item[5]) { entry.style.display = "none"; occasional.push([item[0], entry]); }
  });
  function drawLegend(v) {
    const extra = v.legend_extra || [];
    occasional.forEach(([key, entry]) => { entry.style.display = extra.indexOf(key) >= 0 ? "" : "none"; });
  }
  const filterBox = h("div", "labsim-filters", "show: ", side);
  const enabled = {};
  const groupOf = {};
  st.filters.forEach((f) => {
    enabled[f[0]] = true;
    f[2].forEach((kind) => { groupOf[kind] = f[0]; });
    const lab = h("label", "", "", filterBox);
    const box = h("input", "labsim-filter", "", lab);
    box.type = "checkbox";
    box.checked = true;
    box.setAttribute("data-kind", f[0]);
    lab.appendChild(document.createTextNode(" " + f[1]));
    box.addEventListener("change", () => {
      enabled[f[0]] = box.checked;
      if (!shown(cur)) { let j = nextShown(cur, -1); if (j < 0) { j = nextShown(cur, 1); } if (j >= 0 && j < n) { cur = j; } }
      draw(false);
    });
  });
  const list = h("div", "labsim-list", "", side);
  const table = h("table", "labsim-events", "", list);
  const thead = h("thead", "", "", table);
  const hr = h("tr", "", "", thead);
  ["#", "ms", "host", "packet or step", "decision and reason"].forEach((t) => h("th", "", t, hr));
  const tbody = h("tbody", "", "", table);
  const spdBox = h("div", "labsim-spd", "", side);

  // ---------------------------------------------------------------- the run
  let view = null, steps = [], n = 0, cur = -1, rows = [], trails = {};
  let timer = null, frame = null, playing = false;
  const reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function shown(i) { return i >= 0 && i < n && enabled[groupOf[steps[i].k] || "decisions"] !== false; }
  function nextShown(from, dir) {
    for (let i = from + dir; i >= 0 && i < n; i += dir) { if (shown(i)) { return i; } }
    return dir > 0 ? n : -1;
  }

  function drawBanner(v) {
    banner.textContent = "";
    if (v.error) {
      const box = h("div", "labsim-verdict labsim-outcome-error", "", banner);
      box.setAttribute("data-outcome", "error");
      box.setAttribute("role", "status");
      h("b", "", "This run could not start. ", box);
      h("pre", "labsim-error", v.error, box);
      return;
    }
    v.verdicts.forEach((d) => {
      const box = h("div", "labsim-verdict labsim-outcome-" + d.outcome, "", banner);
      box.setAttribute("data-outcome", d.outcome);
      box.setAttribute("data-flow", d.flow);
      box.setAttribute("data-attack", String(d.attack));
      box.setAttribute("data-problem", d.problem);
      box.setAttribute("role", "status");
      box.style.background = d.bg;
      box.style.borderColor = d.fg;
      const line = h("div", "labsim-verdict-head", "", box);
      line.style.color = d.fg;
      if (d.label) { tok(d.label + ":", line, "labsim-flow-label"); line.appendChild(document.createTextNode(" ")); }
      h("span", "", d.symbol + " ", line).setAttribute("aria-hidden", "true");
      prose(d.head, line);
      prose(d.explanation, h("div", "labsim-explanation", "", box));
    });
  }

  function drawTable(v) {
    // one string, one parse: building 50 rows node by node costs more than the rest of a redraw
    const html = v.events.map((e, i) => {
      const [num, ms, host, kind, colour, summary, marker, via, decision, reason, rule, headers] = e;
      return '<tr class="labsim-event" data-step="' + i + '" data-kind="' + esc(kind) + '">' +
        '<td class="labsim-num">' + num + '</td><td class="labsim-ms">' + ms.toFixed(3) + "</td>" +
        '<td><span class="labsim-tok">' + esc(host) + "</span></td>" +
        '<td><span class="labsim-kind" style="color:' + colour + '">' + esc(kind) + "</span>" + toks(summary) +
        (marker ? ' <span class="labsim-tok labsim-flow">[marker ' + marker + "]</span>" : "") +
        (via ? ' <span class="labsim-rule">via ' + via.split(" > ").map((hop) => '<span class="labsim-tok">' + esc(hop) +
          "</span>").join(" &gt; ") + "</span>" : "") + "</td>" +
        '<td><span class="labsim-decision">' + esc(decision) + "</span>" + (reason ? " " + toks(reason) : "") +
        (rule ? ' <span class="labsim-tok labsim-rule">[' + esc(rule) + "]</span>" : "") +
        (headers ? '<details data-i="' + i + '"><summary>headers</summary><pre></pre></details>' : "") + "</td></tr>";
    }).join("");
    tbody.innerHTML = html;
    rows = Array.prototype.slice.call(tbody.children);
  }
  tbody.addEventListener("toggle", (ev) => {     // a packet's headers are written out when first opened
    const d = ev.target;
    if (d.tagName === "DETAILS" && d.open && view) {
      const pre = d.querySelector("pre");
      if (!pre.textContent) { pre.textContent = view.events[+d.dataset.i][11]; }
    }
  }, true);
  tbody.addEventListener("click", (ev) => {
    if (ev.target.closest("details")) { return; }
    const tr = ev.target.closest("tr.labsim-event");
    if (tr) { stop(); go(+tr.dataset.step, true); }
  });

  function drawPicture(v) {
    const topo = topologies.get(v.topo);
    if (topoLayer.getAttribute("data-key") !== v.topo) {
      topoLayer.innerHTML = topo;
      topoLayer.setAttribute("data-key", v.topo);
    }
    svg.setAttribute("viewBox", "0 0 " + v.size[0] + " " + v.size[1]);
    svg.setAttribute("aria-label", v.alt);
    svg.style.aspectRatio = v.size[0] + " / " + v.size[1];
    svg.style.maxWidth = Math.round(v.size[0] * MAX_SCALE) + "px";   // a small world is not blown up past one screen
    trailLayer.innerHTML = v.trails;
    trails = {};
    trailLayer.querySelectorAll(".lsp-trail").forEach((g) => {
      const key = g.getAttribute("data-step");
      (trails[key] = trails[key] || []).push(g);
    });
  }

  function drawSpd(v) {
    spdBox.textContent = "";
    if (!v.spd || !v.spd.length) { return; }
    h("b", "", v.spd_title, spdBox);
    const ol = h("ol", "", "", spdBox);
    v.spd.forEach((line) => tok(line.replace(/^\d+\.\s+/, ""), h("li", "", "", ol)));
  }

  const ahead = new Map();       // setting -> view, for this panel (the kernel's runs one click away)
  let shownDigest = null, painted = 0;
  function apply(v, local) {
    if (!v || (!v.n && !local)) { return; }
    if (v.key && !v.error) { ahead.set(v.key, v); }
    if (!local && v.digest && v.digest === shownDigest) {
      el.setAttribute("data-run", String(v.n));     // the kernel confirms what is already drawn
      el.removeAttribute("data-pending");
      return;
    }
    if (v.topo && !topologies.has(v.topo)) {
      if (v.topo_svg) { topologies.set(v.topo, v.topo_svg); }
      else if (local) { return; }                       // the kernel's answer will bring it
      else { model.send({ type: "need_topology", key: v.topo }); pendingView = v; return; }
    }
    const t0 = performance.now();
    if (!local) { el.__labsimTransitMs = v.sent ? Date.now() - v.sent : null; }   // kernel to this script, through the server
    stop();
    navigated = false;
    view = v;
    steps = v.steps;
    n = steps.length;
    cur = n - 1;
    showChoice(v.toggles);
    drawBanner(v);
    if (v.error) {
      main.style.display = "none";
    } else {
      main.style.display = "";
      drawPicture(v);
      drawLegend(v);
      drawTable(v);
      drawSpd(v);
      draw(false);
    }
    shownDigest = v.digest || null;
    painted += 1;
    if (!local) { el.setAttribute("data-run", String(v.n)); el.removeAttribute("data-pending"); }
    el.__labsimLocal = !!local;
    el.__labsimDrawnAt = performance.now();
    el.__labsimApplyMs = el.__labsimDrawnAt - t0;
    el.__labsimKernelMs = local ? 0 : (v.sent ? v.sent - (el.__labsimClickedEpoch || 0) : null);
    if (local) { el.__labsimTransitMs = 0; }
    const count = painted;
    // the new picture is on screen after the next frame is painted (the benchmark reads this)
    requestAnimationFrame(() => setTimeout(() => { el.__labsimPaintedAt = performance.now(); el.setAttribute("data-painted", String(count)); }, 0));
  }
  let pendingView = null;
  function onMessage(msg) {
    if (msg && msg.type === "ahead" && msg.view && msg.view.key) {
      if (msg.view.topo_svg) { topologies.set(msg.view.topo, msg.view.topo_svg); }
      ahead.set(msg.view.key, msg.view);
      return;
    }
    if (msg && msg.type === "topology") {
      topologies.set(msg.key, msg.svg);
      if (pendingView && pendingView.topo === msg.key) { const v = pendingView; pendingView = null; apply(v); }
    }
  }
  model.on("msg:custom", onMessage);

  function each(key, fn) { (trails[key] || []).forEach(fn); }
  function step(dir) { const j = nextShown(cur, dir); if (j >= 0 && j < n) { go(j, dir > 0); } }
  let navigated = false;       // the student stepped: the ring marks where each decision happens
  function go(i, animate) { if (i < 0 || i >= n) { return; } cur = i; navigated = true; draw(animate); }

  function draw(animate) {
    const st_ = steps[cur];
    rows.forEach((row, i) => {
      row.classList.toggle("labsim-current", i === cur);
      row.classList.toggle("labsim-later", i > cur);
      row.classList.toggle("labsim-hidden", !shown(i));
      if (i === cur) { row.setAttribute("aria-current", "step"); } else { row.removeAttribute("aria-current"); }
    });
    Object.keys(trails).forEach((key) => {
      const i = +key;
      each(key, (g) => {
        g.classList.toggle("lsp-off", i > cur || !shown(i) || (i === cur && animate && !reduced && !!steps[i].p));
        g.classList.toggle("lsp-past", i < cur && cur < n - 1);
        g.classList.toggle("lsp-now", i === cur);
        g.classList.remove("lsp-pop");
      });
    });
    let count = 0;
    for (let k = 0; k < n; k++) { if (shown(k)) { count++; } }
    label.textContent = n ? "event " + (cur + 1) + " of " + n + (count < n ? " (" + count + " shown)" : "") : "";
    now.textContent = "";
    const ev = view && view.events[cur];
    if (ev) {
      tok("#" + ev[0], h("b", "", "", now));
      now.appendChild(document.createTextNode(" "));
      tok(ev[1].toFixed(3) + " ms", now);
      now.appendChild(document.createTextNode(" "));
      tok(ev[2], h("b", "", "", now));
      now.appendChild(document.createTextNode(" "));
      tok("[" + ev[3] + "]:", now);
      now.appendChild(document.createTextNode(" "));
      prose(ev[5], now);
      now.appendChild(document.createTextNode(" \u2014 "));
      h("span", "labsim-decision", ev[8], now);
      if (ev[9]) { now.appendChild(document.createTextNode(" ")); prose(ev[9], now); }
      if (ev[10]) { now.appendChild(document.createTextNode(" ")); tok("[" + ev[10] + "]", now, "labsim-rule"); }
    }
    const row = rows[cur];
    if (row && list.scrollHeight > list.clientHeight) {
      list.scrollTop = Math.max(0, row.offsetTop - list.clientHeight / 2 + row.clientHeight / 2);
    }
    focus.setAttribute("visibility", "hidden");
    token.setAttribute("visibility", "hidden");
    if (frame) { cancelAnimationFrame(frame); frame = null; }
    if (!st_) { return; }
    if (st_.a && !st_.p && (animate || playing || navigated)) {    // a fresh run shows the whole picture, no ring
      focus.setAttribute("x", st_.a[0] - st.box[0]);
      focus.setAttribute("y", st_.a[1] - st.box[1]);
      focus.setAttribute("visibility", st_.s === "drop" ? "hidden" : "visible");
      if (st_.s === "drop" && animate) { each(cur, (g) => g.classList.add("lsp-pop")); }
    }
    if (st_.p && animate && !reduced) { fly(st_); }
  }

  function duration(pts) { return Math.max(450, Math.min(1300, 230 * pts.length)); }
  function fly(one) {
    const pts = view.flows[one.f], seg = [];
    let total = 0;
    for (let i = 1; i < pts.length; i++) {
      const d = Math.hypot(pts[i][0] - pts[i - 1][0], pts[i][1] - pts[i - 1][1]);
      seg.push(d);
      total += d;
    }
    const look = st.look[one.s];
    token.setAttribute("d", st.shapes[one.s]);
    token.setAttribute("fill", look[0]);
    token.setAttribute("stroke", look[1]);
    token.setAttribute("visibility", "visible");
    const time = duration(pts), which = cur;
    let start = null;
    function place(t) {
      let goal = total * t, i = 0;
      while (i < seg.length - 1 && goal > seg[i]) { goal -= seg[i]; i++; }
      const f = seg[i] ? Math.min(goal / seg[i], 1) : 1;
      const x = pts[i][0] + (pts[i + 1][0] - pts[i][0]) * f, y = pts[i][1] + (pts[i + 1][1] - pts[i][1]) * f;
      token.setAttribute("transform", "translate(" + x.toFixed(1) + " " + y.toFixed(1) + ") scale(8.5)");
    }
    function tick(ts) {
      if (which !== cur) { return; }
      if (start === null) { start = ts; }
      const t = Math.min((ts - start) / time, 1);
      place(t);
      if (t < 1) { frame = requestAnimationFrame(tick); return; }
      frame = null;
      token.setAttribute("visibility", "hidden");
      each(cur, (g) => { g.classList.remove("lsp-off"); g.classList.add("lsp-pop"); });
    }
    if (pts.length < 2) { return; }
    place(0);
    frame = requestAnimationFrame(tick);
  }
  function delay(i) {
    const one = steps[i];
    if (reduced) { return 700; }
    return one.p ? duration(view.flows[one.f]) + 250 : 420;
  }
  function stop() {
    playing = false;
    if (timer) { clearTimeout(timer); timer = null; }
    playButton.textContent = "\u25b6 play";
    playButton.setAttribute("aria-pressed", "false");
  }
  function advance() {
    const j = nextShown(cur, 1);
    if (j >= n) { stop(); return; }
    go(j, true);
    timer = setTimeout(advance, delay(j));
  }
  function toggle() {
    if (playing) { stop(); return; }
    playing = true;
    playButton.textContent = "\u275a\u275a pause";
    playButton.setAttribute("aria-pressed", "true");
    if (nextShown(cur, 1) >= n) { cur = -1; }
    advance();
  }
  el.tabIndex = 0;
  el.addEventListener("keydown", (ev) => {
    if (ev.target && /INPUT|SELECT|TEXTAREA|SUMMARY|BUTTON/.test(ev.target.tagName) && ev.key === " ") { return; }
    if (ev.target && /INPUT|SELECT|TEXTAREA/.test(ev.target.tagName)) { return; }
    const keys = { ArrowRight: () => { stop(); step(1); }, ArrowLeft: () => { stop(); step(-1); },
                   Home: () => { stop(); go(nextShown(-1, 1), false); }, End: () => { stop(); go(nextShown(n, -1), false); },
                   " ": toggle };
    if (keys[ev.key]) { ev.preventDefault(); ev.stopPropagation(); keys[ev.key](); }
  });

  const onView = () => apply(model.get("view"));
  model.on("change:view", onView);
  showChoice(model.get("choice"));
  apply(model.get("view"));
  if (st.autoplay) { toggle(); }
  return () => {
    stop();
    model.off("change:view", onView);
    model.off("msg:custom", onMessage);
  };
}

export default { render };
