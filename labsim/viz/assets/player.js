/* labsim player: turns a static labsim picture and event table into a stepper.
   Where scripts do not run, the page keeps the final-state picture, the verdict and the
   event table; this script only adds to them. No network access, no globals. */
(function () {
  "use strict";
  var me = document.currentScript;
  var root = me && me.closest ? me.closest(".labsim-player") : null;
  if (!root) {
    var waiting = document.querySelectorAll(".labsim-player:not([data-live])");
    root = waiting[waiting.length - 1];
  }
  if (!root || root.hasAttribute("data-live")) { return; }
  var NS = "http://www.w3.org/2000/svg";
  var data = JSON.parse(root.querySelector(".labsim-data").textContent);
  var steps = data.steps, n = steps.length;
  var img = root.querySelector("img.labsim-picture");
  if (!img || !n) { return; }
  var svg;
  try {
    var src = img.getAttribute("src");
    svg = new DOMParser().parseFromString(decodeURIComponent(src.slice(src.indexOf(",") + 1)),
                                          "image/svg+xml").documentElement;
    if (svg.nodeName !== "svg") { return; }
    svg = document.importNode(svg, true);
  } catch (err) { return; }            /* keep the static picture */
  root.setAttribute("data-live", "1");
  svg.setAttribute("class", "labsim-svg");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", img.getAttribute("alt") || "");
  svg.removeAttribute("width");
  svg.removeAttribute("height");
  img.parentNode.replaceChild(svg, img);

  function el(name, attrs, parent) {
    var node = document.createElementNS(NS, name);
    for (var k in attrs) { if (attrs.hasOwnProperty(k)) { node.setAttribute(k, attrs[k]); } }
    if (parent) { parent.appendChild(node); }
    return node;
  }
  function h(tag, cls, text, parent) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text) { node.textContent = text; }
    if (parent) { parent.appendChild(node); }
    return node;
  }

  var trails = {};
  [].forEach.call(svg.querySelectorAll(".lsp-trail"), function (g) {
    var key = g.getAttribute("data-step");
    (trails[key] = trails[key] || []).push(g);   /* a line and a mark for each packet */
  });
  function each(key, fn) { (trails[key] || []).forEach(fn); }
  var rows = [].slice.call(root.querySelectorAll("tr.labsim-event"));
  var list = root.querySelector(".labsim-list");
  var now = root.querySelector(".labsim-now");
  var layer = el("g", {"class": "lsp-live"}, svg);
  var focus = el("rect", {"class": "lsp-focus", width: 2 * data.box[0], height: 2 * data.box[1], rx: 7,
                          fill: "none", stroke: "#1a1a1a", "stroke-width": 2.6, "stroke-dasharray": "6 3",
                          visibility: "hidden"}, layer);
  var token = el("path", {"class": "lsp-token", "stroke-width": 0.16, "stroke-linejoin": "round",
                          visibility: "hidden"}, layer);

  /* filters: which trace kinds are shown */
  var groupOf = {}, enabled = {};
  data.filters.forEach(function (f) {
    enabled[f[0]] = true;
    f[2].forEach(function (kind) { groupOf[kind] = f[0]; });
  });
  function shown(i) { return enabled[groupOf[steps[i].k] || "decisions"] !== false; }

  /* the toolbar */
  var bar = h("div", "labsim-toolbar");
  bar.setAttribute("role", "toolbar");
  bar.setAttribute("aria-label", "step through the events");
  function button(cls, text, title, action) {
    var b = h("button", cls, text, bar);
    b.type = "button";
    b.title = title;
    b.addEventListener("click", function (ev) { ev.preventDefault(); action(); });
    return b;
  }
  button("labsim-first", "\u00ab first", "first event (Home)", function () { stop(); go(nextShown(-1, 1), false); });
  button("labsim-prev", "\u2039 back", "previous event (left arrow)", function () { stop(); step(-1); });
  var playButton = button("labsim-play", "\u25b6 play", "play the run (space)", function () { toggle(); });
  button("labsim-next", "next \u203a", "next event (right arrow)", function () { stop(); step(1); });
  button("labsim-last", "last \u00bb", "last event (End)", function () { stop(); go(nextShown(n, -1), false); });
  var label = h("span", "labsim-step", "", bar);
  label.setAttribute("aria-live", "polite");
  var filterBox = h("span", "labsim-filters", "show:", bar);
  data.filters.forEach(function (f) {
    var lab = h("label", "", "", filterBox);
    var box = h("input", "labsim-filter", "", lab);
    box.type = "checkbox";
    box.checked = true;
    box.setAttribute("data-kind", f[0]);
    lab.appendChild(document.createTextNode(" " + f[1]));
    box.addEventListener("change", function () {
      enabled[f[0]] = box.checked;
      if (!shown(cur)) { var j = nextShown(cur, -1); if (j < 0) { j = nextShown(cur, 1); } if (j >= 0 && j < n) { cur = j; } }
      render(false);
    });
  });
  var body = root.querySelector(".labsim-body");
  body.parentNode.insertBefore(bar, body);

  var cur = n - 1, timer = null, frame = null, playing = false;
  var reduced = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function nextShown(from, dir) {
    for (var i = from + dir; i >= 0 && i < n; i += dir) { if (shown(i)) { return i; } }
    return dir > 0 ? n : -1;
  }
  function step(dir) {
    var j = nextShown(cur, dir);
    if (j >= 0 && j < n) { go(j, dir > 0); }
  }
  function go(i, animate) {
    if (i < 0 || i >= n) { return; }
    cur = i;
    render(animate);
  }
  function render(animate) {
    var s = steps[cur];
    rows.forEach(function (row, i) {
      row.classList.toggle("labsim-current", i === cur);
      row.classList.toggle("labsim-later", i > cur);
      row.classList.toggle("labsim-hidden", !shown(i));
      if (i === cur) { row.setAttribute("aria-current", "step"); } else { row.removeAttribute("aria-current"); }
    });
    Object.keys(trails).forEach(function (key) {
      var i = +key;
      each(key, function (g) {
        g.classList.toggle("lsp-off", i > cur || !shown(i) || (i === cur && animate && !reduced && !!steps[i].p));
        g.classList.toggle("lsp-past", i < cur && cur < n - 1);   /* the last step shows the whole run */
        g.classList.toggle("lsp-now", i === cur);
        g.classList.remove("lsp-pop");
      });
    });
    var shownCount = 0, position = 0;
    for (var k = 0; k < n; k++) { if (shown(k)) { shownCount++; if (k <= cur) { position++; } } }
    label.textContent = "event " + (cur + 1) + " of " + n + (shownCount < n ? " (" + shownCount + " shown)" : "");
    var row = rows[cur];
    if (now && row) {
      now.textContent = "";
      var cells = row.querySelectorAll("td");
      h("b", "", "#" + cells[0].textContent + "  " + cells[1].textContent + " ms  " + cells[2].textContent +
        " [" + s.k + "]: ", now);
      now.appendChild(document.createTextNode((cells[3].getAttribute("data-summary") || "") + " \u2014 "));
      h("span", "labsim-decision", (cells[4].getAttribute("data-decision") || ""), now);
      now.appendChild(document.createTextNode(" " + (cells[4].getAttribute("data-why") || "")));
    }
    if (list && row) {
      var top = row.offsetTop - list.clientHeight / 2 + row.clientHeight / 2;
      list.scrollTop = Math.max(0, top);
    }
    focus.setAttribute("visibility", "hidden");
    token.setAttribute("visibility", "hidden");
    if (frame) { cancelAnimationFrame(frame); frame = null; }
    if (s.a && !s.p) {
      focus.setAttribute("x", s.a[0] - data.box[0]);
      focus.setAttribute("y", s.a[1] - data.box[1]);
      focus.setAttribute("visibility", s.s === "drop" ? "hidden" : "visible");
      if (s.s === "drop" && animate) { each(cur, function (g) { g.classList.add("lsp-pop"); }); }
    }
    if (s.p && animate && !reduced) { fly(s); }
  }
  function fly(s) {
    var pts = data.flows[s.f], seg = [], total = 0;
    for (var i = 1; i < pts.length; i++) {
      var d = Math.sqrt(Math.pow(pts[i][0] - pts[i - 1][0], 2) + Math.pow(pts[i][1] - pts[i - 1][1], 2));
      seg.push(d);
      total += d;
    }
    var look = data.look[s.s];
    token.setAttribute("d", data.shapes[s.s]);
    token.setAttribute("fill", look[0]);
    token.setAttribute("stroke", look[1]);
    token.setAttribute("visibility", "visible");
    var duration = Math.max(450, Math.min(1300, 230 * pts.length)) / (data.speed || 1), start = null;
    var which = cur;
    function place(t) {
      var goal = total * t, i = 0;
      while (i < seg.length - 1 && goal > seg[i]) { goal -= seg[i]; i++; }
      var f = seg[i] ? Math.min(goal / seg[i], 1) : 1;
      var x = pts[i][0] + (pts[i + 1][0] - pts[i][0]) * f, y = pts[i][1] + (pts[i + 1][1] - pts[i][1]) * f;
      token.setAttribute("transform", "translate(" + x.toFixed(1) + " " + y.toFixed(1) + ") scale(8.5)");
    }
    function tick(ts) {
      if (which !== cur) { return; }
      if (start === null) { start = ts; }
      var t = Math.min((ts - start) / duration, 1);
      place(t);
      if (t < 1) { frame = requestAnimationFrame(tick); return; }
      frame = null;
      token.setAttribute("visibility", "hidden");
      each(cur, function (g) { g.classList.remove("lsp-off"); g.classList.add("lsp-pop"); });
    }
    place(0);
    frame = requestAnimationFrame(tick);
  }
  function delay(i) {
    var s = steps[i];
    if (reduced) { return 700; }
    return s.p ? Math.max(450, Math.min(1300, 230 * data.flows[s.f].length)) + 250 : 420;
  }
  function stop() {
    playing = false;
    if (timer) { clearTimeout(timer); timer = null; }
    playButton.textContent = "\u25b6 play";
    playButton.setAttribute("aria-pressed", "false");
  }
  function advance() {
    var j = nextShown(cur, 1);
    if (j >= n) { stop(); return; }
    go(j, true);
    timer = setTimeout(advance, delay(j) / (data.speed || 1));
  }
  function toggle() {
    if (playing) { stop(); return; }
    playing = true;
    playButton.textContent = "\u275a\u275a pause";
    playButton.setAttribute("aria-pressed", "true");
    if (nextShown(cur, 1) >= n) { cur = -1; }
    advance();
  }
  rows.forEach(function (row, i) {
    row.addEventListener("click", function (ev) {
      if (ev.target.closest && ev.target.closest("details")) { return; }
      stop();
      go(i, true);
    });
  });
  if (!root.hasAttribute("tabindex")) { root.setAttribute("tabindex", "0"); }
  root.addEventListener("keydown", function (ev) {
    if (ev.target && /INPUT|SELECT|TEXTAREA|SUMMARY/.test(ev.target.tagName)) { return; }
    var keys = {ArrowRight: function () { stop(); step(1); }, ArrowLeft: function () { stop(); step(-1); },
                Home: function () { stop(); go(nextShown(-1, 1), false); },
                End: function () { stop(); go(nextShown(n, -1), false); }, " ": toggle};
    if (keys[ev.key]) { ev.preventDefault(); ev.stopPropagation(); keys[ev.key](); }
  });
  render(false);
  if (root.getAttribute("data-autoplay") === "true") { toggle(); }
}());
