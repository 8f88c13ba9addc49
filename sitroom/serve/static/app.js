/* sitroom dashboard: map (Leaflet + markercluster), timeline brush, filters, event panel.
 *
 * Every string that comes from an article (places, actors, titles, evidence, ...) is untrusted:
 * it only ever reaches the page through textContent / createTextNode / attribute setters, never
 * through an HTML-parsing setter. The Content-Security-Policy allows no inline script besides.
 */
(function () {
  "use strict";

  var MAX_EVENTS = 10000;        // fetched page by page (1000 a request)
  var DAY = 86400000;

  var state = {
    events: [],                  // every event matching the filters
    byId: {},
    markers: {},                 // event id -> L.Marker
    range: null,                 // [firstDayMs, lastDayMs] picked on the timeline, or null
    selected: null,
    total: 0,
    fresh: {},                   // event id -> true: new or changed since the last visit
  };
  var map, cluster;

  // ------------------------------------------------------------------ DOM helpers (text only)

  function el(tag, attrs) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k === "text") node.textContent = String(v);
        else if (k === "className") node.className = v;
        else node.setAttribute(k, String(v));
      });
    }
    for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }

  function append(node, child) {
    if (child === null || child === undefined || child === false) return node;
    if (Array.isArray(child)) { child.forEach(function (c) { append(node, c); }); return node; }
    node.appendChild(typeof child === "object" ? child : document.createTextNode(String(child)));
    return node;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); return node; }

  function svg(tag, attrs) {
    var node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") node.textContent = String(attrs[k]);
      else node.setAttribute(k, String(attrs[k]));
    });
    return node;
  }

  function safeHref(url) {
    try {
      var u = new URL(String(url), window.location.href);
      return (u.protocol === "http:" || u.protocol === "https:") ? u.href : null;
    } catch (e) { return null; }
  }

  function getJSON(url) {
    return fetch(url, { headers: { Accept: "application/json" } }).then(function (r) {
      if (!r.ok) {
        return r.json().catch(function () { return {}; }).then(function (body) {
          var msg = body && typeof body.detail === "string" ? body.detail : r.status + " " + r.statusText;
          throw new Error(msg);
        });
      }
      return r.json();
    });
  }

  // ------------------------------------------------------------------ event helpers

  function dayOf(e) {
    var d = /^\d{4}-\d{2}-\d{2}$/.test(e.event_date || "") ? e.event_date
      : (e.date_range && e.date_range[0]) || null;
    if (!d) return null;
    var t = Date.parse(d + "T00:00:00Z");
    return isNaN(t) ? null : t;
  }

  function isoDay(ms) { return new Date(ms).toISOString().slice(0, 10); }

  function aliasOf(e) {
    var loc = (e.location || "").toLowerCase();
    return (e.place_names || []).filter(function (n) { return n && n.toLowerCase() !== loc; });
  }

  function placeText(e) {
    var loc = e.location || e.admin1 || e.country || "unknown place";
    var alias = aliasOf(e);
    return alias.length ? loc + " (" + alias.join(", ") + ")" : loc;
  }

  /** The accessible name of an event's marker and list entry, e.g.
   *  "SR2: Air/drone strike at Maarrat an Numan (Maarat al-Numan), 2020-01-16". */
  function labelOf(e) {
    return e.event_id + ": " + (e.sub_event_type || "event") + " at " + placeText(e) +
      ", " + (e.event_date || "date unknown");
  }

  function killed(e) {
    var lo = e.fatalities_low, hi = e.fatalities_high;
    if (lo !== null && lo !== undefined && hi !== null && hi !== undefined && lo !== hi) return lo + "–" + hi;
    return e.fatalities === null || e.fatalities === undefined ? null : String(e.fatalities);
  }

  function inRange(e) {
    if (!state.range) return true;
    var d = dayOf(e);
    return d !== null && d >= state.range[0] && d <= state.range[1];
  }

  function visibleEvents() { return state.events.filter(inRange); }

  // ------------------------------------------------------------------ map

  function initMap(config) {
    map = L.map("map", { worldCopyJump: true, zoomControl: true, maxZoom: 12 }).setView([35.5, 38.5], 6);
    map.attributionControl.setPrefix(false);

    // offline outlines, always beneath the tiles: the map is never blank
    map.createPane("outlines");
    map.getPane("outlines").style.zIndex = 150;          // below the tile pane (200)
    map.getPane("outlines").style.pointerEvents = "none";
    var renderer = L.canvas({ pane: "outlines", padding: 0.2 });
    var outlines = config.outlines || {};
    getJSON(outlines.countries).then(function (gj) {
      L.geoJSON(gj, { pane: "outlines", renderer: renderer, interactive: false,
        style: { color: "#7d8792", weight: 1, fillColor: "#f3f0e8", fillOpacity: 1 } }).addTo(map);
      return getJSON(outlines.admin1);
    }).then(function (gj) {
      L.geoJSON(gj, { pane: "outlines", renderer: renderer, interactive: false,
        style: { color: "#a9b0b8", weight: 0.7, fill: false, dashArray: "3 3" } }).addTo(map);
      document.body.setAttribute("data-outlines", "ready");
    }).catch(function (err) { showBasemapStatus("outlines not loaded: " + err.message); });

    if (config.tiles && config.tiles.url) {
      var failed = 0, loaded = 0;
      var tiles = L.tileLayer(config.tiles.url, { maxZoom: 12, attribution: config.tiles.attribution || "" });
      tiles.on("tileerror", function () {
        failed++;
        if (!loaded) showBasemapStatus("Base map: offline outlines (map tiles unavailable)");
      });
      tiles.on("tileload", function () { loaded++; showBasemapStatus(null); });
      tiles.addTo(map);
    } else {
      showBasemapStatus("Base map: offline outlines");
    }

    cluster = L.markerClusterGroup({ showCoverageOnHover: false, maxClusterRadius: 40, spiderfyOnMaxZoom: true });
    map.addLayer(cluster);
  }

  function showBasemapStatus(text) {
    var p = document.getElementById("basemap-status");
    p.hidden = !text;
    p.textContent = text || "";
  }

  function buildMarkers() {
    state.markers = {};
    state.events.forEach(function (e) {
      if (e.latitude === null || e.longitude === null || e.latitude === undefined) return;
      var label = labelOf(e);
      var m = L.marker([e.latitude, e.longitude], { title: label, alt: label, keyboard: true, riseOnHover: true });
      m.on("click", function () { selectEvent(e.event_id); });
      m.on("add", function () {             // the icon exists only while it is on the map
        var icon = m.getElement();
        if (icon) {
          icon.setAttribute("aria-label", label);
          icon.setAttribute("data-event-id", e.event_id);
        }
      });
      state.markers[e.event_id] = m;
    });
  }

  function refreshMap(fit) {
    cluster.clearLayers();
    var shown = visibleEvents().map(function (e) { return state.markers[e.event_id]; }).filter(Boolean);
    cluster.addLayers(shown);
    if (fit && shown.length) {
      var b = L.latLngBounds(shown.map(function (m) { return m.getLatLng(); }));
      map.fitBounds(b.pad(0.3), { maxZoom: 9 });
    }
  }

  // ------------------------------------------------------------------ list + count

  function refreshList() {
    var list = clear(document.getElementById("event-list"));
    var shown = visibleEvents();
    shown.forEach(function (e) {
      var meta = [e.event_date || "date unknown", placeText(e)];
      if (e.admin1 && e.admin1 !== e.location) meta.push(e.admin1);
      var k = killed(e);
      if (k) meta.push(k + " killed");
      if (e.contested) meta.push("contested");
      var b = el("button", { type: "button", className: "event-item" + (state.fresh[e.event_id] ? " is-new" : ""),
                             "data-event-id": e.event_id,
                             "aria-label": labelOf(e), "aria-current": state.selected === e.event_id ? "true" : null },
        el("span", { className: "code", text: e.event_id }),
        el("span", { text: e.sub_event_type || e.event_type || "event" }),
        state.fresh[e.event_id] ? el("span", { className: "badge new", text: "new" }) : null,
        el("span", { className: "meta", text: meta.join(" · ") }));
      b.addEventListener("click", function () { selectEvent(e.event_id, true); });
      list.appendChild(el("li", null, b));
    });
    if (!shown.length) list.appendChild(el("li", { className: "empty", text: "No event matches." }));
    var count = document.getElementById("event-count");
    var more = (state.total > state.events.length || state.totalExact === false) ?
      " (first " + state.events.length + " of " + state.total + (state.totalExact === false ? "+" : "") + " loaded)" : "";
    count.textContent = shown.length + " of " + state.events.length + " events" + more;
    count.setAttribute("data-count", String(shown.length));
  }

  // ------------------------------------------------------------------ timeline + brush

  var tl = { bins: [], first: 0, binDays: 1, width: 0, height: 0, pad: 22, dragging: null };

  function drawTimeline() {
    var svgEl = document.getElementById("timeline");
    clear(svgEl);
    var rect = svgEl.getBoundingClientRect();
    var W = Math.max(200, Math.round(rect.width)), H = Math.max(60, Math.round(rect.height));
    svgEl.setAttribute("viewBox", "0 0 " + W + " " + H);
    tl.width = W; tl.height = H;
    var days = state.events.map(dayOf).filter(function (d) { return d !== null; });
    if (!days.length) {
      svgEl.appendChild(svg("text", { x: 8, y: 20, "class": "axis", text: "no dated events" }));
      tl.bins = [];
      return;
    }
    var first = Math.min.apply(null, days), last = Math.max.apply(null, days);
    var nDays = Math.round((last - first) / DAY) + 1;
    var usable = W - 2 * tl.pad;
    tl.binDays = Math.max(1, Math.ceil(nDays / (usable / 3)));   // bars at least ~3 px wide
    var nBins = Math.ceil(nDays / tl.binDays);
    tl.first = first;
    tl.bins = [];
    for (var i = 0; i < nBins; i++) tl.bins.push({ start: first + i * tl.binDays * DAY, n: 0, inRange: 0 });
    state.events.forEach(function (e) {
      var d = dayOf(e);
      if (d === null) return;
      var bin = tl.bins[Math.floor(Math.round((d - first) / DAY) / tl.binDays)];
      bin.n++;
      if (inRange(e)) bin.inRange++;
    });
    var maxN = Math.max.apply(null, tl.bins.map(function (b) { return b.n; }));
    var bw = usable / nBins, top = 6, bottom = H - 16, h = bottom - top;
    tl.bins.forEach(function (b, i) {
      var bh = b.n ? Math.max(2, h * b.n / maxN) : 0;
      var x = tl.pad + i * bw;
      var r = svg("rect", { x: x + 0.5, y: bottom - bh, width: Math.max(1, bw - 1), height: bh,
                            "class": "bar" + (state.range && b.inRange ? " in" : "") });
      var t = svg("title", { text: isoDay(b.start) + (tl.binDays > 1 ? " + " + (tl.binDays - 1) + " days" : "") +
                                   ": " + b.n + " event" + (b.n === 1 ? "" : "s") });
      r.appendChild(t);
      svgEl.appendChild(r);
    });
    svgEl.appendChild(svg("line", { x1: tl.pad, x2: W - tl.pad, y1: bottom + 0.5, y2: bottom + 0.5, "class": "baseline" }));
    var ticks = Math.min(nBins, Math.max(2, Math.floor(usable / 110)));
    for (var k = 0; k < ticks; k++) {
      var bi = Math.round(k * (nBins - 1) / Math.max(1, ticks - 1));
      var tx = tl.pad + (bi + 0.5) * bw;
      svgEl.appendChild(svg("text", { x: tx, y: H - 3, "class": "axis",
        "text-anchor": k === 0 ? "start" : (k === ticks - 1 ? "end" : "middle"), text: isoDay(tl.bins[bi].start) }));
    }
    if (state.range) {
      var x0 = xOfDay(state.range[0]), x1 = xOfDay(state.range[1] + DAY);
      svgEl.appendChild(svg("rect", { x: x0, y: top - 4, width: Math.max(1, x1 - x0), height: h + 4, "class": "brush", id: "brush" }));
    }
  }

  function xOfDay(ms) {
    var usable = tl.width - 2 * tl.pad, nBins = tl.bins.length || 1;
    return tl.pad + ((ms - tl.first) / DAY / tl.binDays) * (usable / nBins);
  }

  function binAt(clientX) {
    var svgEl = document.getElementById("timeline");
    var rect = svgEl.getBoundingClientRect();
    var x = (clientX - rect.left) * (tl.width / rect.width);
    var usable = tl.width - 2 * tl.pad, nBins = tl.bins.length;
    var i = Math.floor((x - tl.pad) / (usable / nBins));
    return Math.max(0, Math.min(nBins - 1, i));
  }

  function initBrush() {
    var svgEl = document.getElementById("timeline");
    svgEl.addEventListener("pointerdown", function (ev) {
      if (!tl.bins.length || ev.button !== 0) return;
      svgEl.setPointerCapture(ev.pointerId);
      tl.dragging = { from: binAt(ev.clientX), x: ev.clientX };
      ev.preventDefault();
    });
    svgEl.addEventListener("pointermove", function (ev) {
      if (!tl.dragging) return;
      var a = tl.dragging.from, b = binAt(ev.clientX);
      var lo = Math.min(a, b), hi = Math.max(a, b);
      var old = document.getElementById("brush");
      if (old) old.remove();
      var x0 = xOfDay(tl.bins[lo].start), x1 = xOfDay(tl.bins[hi].start + tl.binDays * DAY);
      svgEl.appendChild(svg("rect", { x: x0, y: 2, width: x1 - x0, height: tl.height - 18, "class": "brush", id: "brush" }));
    });
    function finish(ev) {
      if (!tl.dragging) return;
      var d = tl.dragging;
      tl.dragging = null;
      if (Math.abs(ev.clientX - d.x) < 3) { setRange(null); return; }   // a click clears
      var a = d.from, b = binAt(ev.clientX);
      var lo = Math.min(a, b), hi = Math.max(a, b);
      setRange([tl.bins[lo].start, tl.bins[hi].start + (tl.binDays - 1) * DAY]);
    }
    svgEl.addEventListener("pointerup", finish);
    svgEl.addEventListener("pointercancel", function () { tl.dragging = null; drawTimeline(); });
    document.getElementById("brush-clear").addEventListener("click", function () { setRange(null); });
    var pending;
    window.addEventListener("resize", function () { clearTimeout(pending); pending = setTimeout(drawTimeline, 150); });
  }

  function setRange(range) {
    state.range = range;
    var label = document.getElementById("brush-label");
    label.textContent = range ? isoDay(range[0]) + " to " + isoDay(range[1]) : "drag across the bars to pick dates";
    document.getElementById("brush-clear").disabled = !range;
    drawTimeline();
    refreshMap(false);
    refreshList();
  }

  // ------------------------------------------------------------------ filters

  function filterParams() {
    var p = new URLSearchParams();
    var type = document.getElementById("f-type").value;
    var actor = document.getElementById("f-actor").value.trim();
    var admin1 = document.getElementById("f-admin1").value;
    if (type) p.set("type", type);
    if (actor) p.set("actor", actor);
    if (admin1) p.set("admin1", admin1);
    return p;
  }

  function initFilters(facets) {
    var type = document.getElementById("f-type");
    var groups = [["Event types", facets.event_types, "event_type"], ["Sub-event types", facets.sub_event_types, "sub_event_type"]];
    groups.forEach(function (g) {
      if (!g[1] || !g[1].length) return;
      var og = el("optgroup", { label: g[0] });
      g[1].forEach(function (f) { og.appendChild(el("option", { value: f[g[2]], text: f[g[2]] + " (" + f.n + ")" })); });
      type.appendChild(og);
    });
    var admin1 = document.getElementById("f-admin1");
    (facets.admin1 || []).forEach(function (f) {
      admin1.appendChild(el("option", { value: f.admin1, text: f.admin1 + (f.country ? ", " + f.country : "") + " (" + f.n + ")" }));
    });
    var dl = document.getElementById("actors");
    (facets.actors || []).forEach(function (f) { dl.appendChild(el("option", { value: f.actor })); });

    var form = document.getElementById("filters");
    var timer;
    form.addEventListener("change", function () { loadEvents(); });
    document.getElementById("f-actor").addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(loadEvents, 350);
    });
    form.addEventListener("submit", function (ev) { ev.preventDefault(); loadEvents(); });
    form.addEventListener("reset", function () { setTimeout(loadEvents, 0); });
  }

  // ------------------------------------------------------------------ loading

  var loadSeq = 0;

  function loadEvents() {
    var seq = ++loadSeq;
    var count = document.getElementById("event-count");
    count.textContent = "loading events…";
    document.body.setAttribute("data-events", "loading");
    var params = filterParams();
    if (state.minConfidence) params.set("min_confidence", String(state.minConfidence));
    var all = [];
    function page(cursor) {   // keyset paging: each page starts after the last event of the one before
      params.set("limit", "1000");
      if (cursor) params.set("cursor", cursor);
      return getJSON("/api/events?" + params.toString()).then(function (body) {
        if (seq !== loadSeq) return null;
        all = all.concat(body.events);
        state.total = body.total;
        state.totalExact = body.total_exact !== false;
        if (body.events.length && body.next_cursor && all.length < MAX_EVENTS) return page(body.next_cursor);
        return all;
      });
    }
    return page(null).then(function (events) {
      if (events === null || seq !== loadSeq) return;
      state.events = events;
      state.byId = {};
      events.forEach(function (e) { state.byId[e.event_id] = e; });
      state.range = null;
      document.getElementById("brush-label").textContent = "drag across the bars to pick dates";
      document.getElementById("brush-clear").disabled = true;
      buildMarkers();
      drawTimeline();
      refreshMap(true);
      refreshList();
      document.body.setAttribute("data-events", "ready");
    }).catch(function (err) {
      count.textContent = "could not load events: " + err.message;
      count.classList.add("error");
    });
  }

  // ------------------------------------------------------------------ event panel

  var KIND_LABEL = { place: "place", actor: "actor", date: "date", number: "number", trigger: "event word" };
  var FIELD_LABEL = { location: "location", actor1: "actor 1", actor2: "actor 2", date: "date",
                      fatalities: "fatalities", trigger: "trigger", place: "place" };

  // Leaflet animates a zoom (250 ms, from the next frame on) and the cluster layer then re-clusters
  // with an animation of its own. In between, a marker can still have its icon while it is on its
  // way into a cluster, and a zoom asked for is dropped: an event clicked right after the page
  // loaded (the first fit to the events) or during a zoom stayed inside its cluster. So the focus
  // waits until the map and the clusters are at rest, before zooming and before checking the marker.
  function whenMapSettled(fn) {
    requestAnimationFrame(function () {
      var panning = map._panAnim && map._panAnim._inProgress;
      if (map._animatingZoom || cluster._inZoomAnimation || panning) setTimeout(function () { whenMapSettled(fn); }, 50);
      else fn();
    });
  }

  // Zoom (and spiderfy) until the event's own marker is on the map, at rest; a cluster that closed
  // again leaves it inside: then try again, a few times.
  function focusMarker(m, id, tries) {
    whenMapSettled(function () {
      if (state.selected !== id) return;
      cluster.zoomToShowLayer(m, function () {
        whenMapSettled(function () {
          if (state.selected !== id) return;
          if (!m._icon && tries > 0) {
            focusMarker(m, id, tries - 1);
            return;
          }
          document.body.setAttribute("data-focused", id);
        });
      });
    });
  }

  function selectEvent(id, fromList) {
    state.selected = id;
    var panel = document.getElementById("panel");
    var body = clear(document.getElementById("panel-body"));
    panel.hidden = false;
    body.appendChild(el("p", { className: "empty", text: "loading " + id + "…" }));
    document.querySelectorAll(".event-item").forEach(function (b) {
      b.setAttribute("aria-current", b.getAttribute("data-event-id") === id ? "true" : "false");
    });
    var m = state.markers[id];
    document.body.removeAttribute("data-focused");
    if (fromList && m) focusMarker(m, id, 5);
    document.querySelector(".side").scrollTop = 0;
    return getJSON("/api/events/" + encodeURIComponent(id)).then(function (e) {
      if (state.selected !== id) return;
      renderEvent(clear(body), e);
      panel.setAttribute("data-event-id", id);
    }).catch(function (err) {
      clear(body).appendChild(el("p", { className: "error", text: "could not load " + id + ": " + err.message }));
    });
  }

  function fact(dl, name, value) {
    if (value === null || value === undefined || value === "") return;
    dl.appendChild(el("dt", { text: name }));
    dl.appendChild(el("dd", null, value));
  }

  function renderEvent(body, e) {
    var h = el("h2", null, e.event_id + ": " + (e.sub_event_type || "event"));
    if (e.contested) h.appendChild(el("span", { className: "badge", text: "contested" }));
    body.appendChild(h);
    if (e.notes) body.appendChild(el("p", { className: "notes", text: e.notes }));

    var dl = el("dl", { className: "facts" });
    var when = (e.event_date || "unknown") + (e.time_precision ? " (precision " + e.time_precision + ")" : "");
    if (e.date_range && e.date_range[0] && e.date_range[0] !== e.date_range[1]) when += ", between " + e.date_range[0] + " and " + e.date_range[1];
    fact(dl, "When", when);
    fact(dl, "Type", [e.event_type, e.sub_event_type].filter(Boolean).join(" › "));
    var where = [e.location, e.admin2, e.admin1, e.country].filter(Boolean).filter(function (v, i, a) { return a.indexOf(v) === i; }).join(", ");
    var alias = aliasOf(e);
    if (alias.length) where += " (in the text: " + alias.join(", ") + ")";
    fact(dl, "Where", where);
    if (e.latitude !== null && e.latitude !== undefined) fact(dl, "Coordinates", e.latitude + ", " + e.longitude + (e.geo_precision ? " (precision " + e.geo_precision + ")" : ""));
    fact(dl, "Actor 1", e.actor1);
    fact(dl, "With", e.assoc_actor_1);
    fact(dl, "Actor 2", e.actor2);
    var k = killed(e);
    if (k) fact(dl, "Killed", k + (e.civilian_fatalities ? " (" + e.civilian_fatalities + " civilians)" : ""));
    if (e.injured) fact(dl, "Injured", String(e.injured));
    fact(dl, "Reports", e.n_mentions + " mention" + (e.n_mentions === 1 ? "" : "s") + " in " + e.n_sources + " source" + (e.n_sources === 1 ? "" : "s"));
    body.appendChild(dl);

    body.appendChild(el("h3", { text: "Sources" }));
    var ul = el("ul", { className: "sources" });
    (e.sources || []).forEach(function (s) {
      var name = s.title || s.doc_id;
      var href = s.url ? safeHref(s.url) : null;
      var item = el("li", null, href ? el("a", { href: href, rel: "noopener noreferrer nofollow", target: "_blank", text: name }) : name);
      var meta = [s.source, s.published, s.title ? s.doc_id : null].filter(Boolean).join(" · ");
      if (meta) item.appendChild(el("span", { className: "mention-head", text: " — " + meta }));
      ul.appendChild(item);
    });
    body.appendChild(ul);

    body.appendChild(el("h3", { text: "Evidence" }));
    var legend = el("div", { className: "legend", "aria-label": "highlight colours" });
    Object.keys(KIND_LABEL).forEach(function (kind) { legend.appendChild(el("mark", { className: "k-" + kind, text: KIND_LABEL[kind] })); });
    body.appendChild(legend);
    (e.mentions || []).forEach(function (m, i) { body.appendChild(renderMention(m, i)); });

    if (e.claims && e.claims.length) {
      body.appendChild(el("h3", { text: "Claims" }));
      var cl = el("ul", { className: "claims" });
      e.claims.forEach(function (c) {
        var who = (c.speaker || "someone") + " (" + (c.relation || c.kind || "claim") + (c.target ? ", against " + c.target : "") + "): ";
        cl.appendChild(el("li", null, el("strong", { text: who }), el("q", { text: c.text || "" })));
      });
      body.appendChild(cl);
    }
  }

  function renderMention(m, i) {
    var box = el("div", { className: "mention" });
    var head = "Mention " + (i + 1) + " · " + (m.sub_event_type || "?") + " on " + (m.event_date || "?") +
      " at " + (m.location || m.admin1 || m.country || "?") + " · " + (m.doc_id || "");
    box.appendChild(el("div", { className: "mention-head", text: head }));
    var shown = {};
    (m.evidence || []).forEach(function (sp) {
      var q = el("blockquote", { className: "evidence" });
      (sp.segments || [{ text: sp.text || "" }]).forEach(function (seg) {
        if (!seg.field) { q.appendChild(document.createTextNode(seg.text)); return; }
        shown[seg.field] = true;
        var title = (FIELD_LABEL[seg.field] || seg.field) + (seg.value ? ": " + seg.value : "");
        q.appendChild(el("mark", { className: "k-" + (seg.kind || "place") + " f-" + seg.field, title: title,
                                   "data-field": seg.field, text: seg.text }));
      });
      box.appendChild(q);
    });
    var elsewhere = (m.fields || []).filter(function (f) { return !shown[f.field] && f.text; });
    if (elsewhere.length) {
      var p = el("p", { className: "elsewhere" }, "Elsewhere in the text: ");
      elsewhere.forEach(function (f, j) {
        if (j) p.appendChild(document.createTextNode("; "));
        p.appendChild(document.createTextNode((FIELD_LABEL[f.field] || f.field) + " "));
        p.appendChild(el("mark", { className: "k-" + f.kind, text: f.text }));
        if (f.value !== null && f.value !== undefined && String(f.value) !== f.text) p.appendChild(document.createTextNode(" → " + f.value));
      });
      box.appendChild(p);
    }
    var f = m.fusion || {};
    var fusion = f.decision === "merged"
      ? "Merged into this event (score " + f.score + "): " + (f.reasons || []).join("; ")
      : "Started this event (" + (f.candidates || 0) + " candidate" + (f.candidates === 1 ? "" : "s") + " compared).";
    box.appendChild(el("p", { className: "fusion", text: fusion }));
    return box;
  }

  // ------------------------------------------------------------------ what is new, and staying current

  var VISIT_KEY = "sitroom.lastVisit";
  var REFRESH_MS = 60000;
  var watchState = { since: null };

  function storedVisit() {
    try { return window.localStorage.getItem(VISIT_KEY); } catch (err) { return null; }
  }

  function remember(now) {
    try { window.localStorage.setItem(VISIT_KEY, now); } catch (err) { /* private mode: no memory */ }
  }

  function showNews(body, label) {
    var out = document.getElementById("news");
    (body.events || []).forEach(function (e) { state.fresh[e.id] = true; });
    var n = Object.keys(state.fresh).length;
    out.hidden = n === 0;
    out.textContent = n ? n + " new or updated " + label : "";
    out.setAttribute("data-new", String(n));
  }

  // The events created or changed since the last visit are marked "new"; while the page is open it
  // asks every minute what changed, and reloads the events when something did.
  // the dashboard's threshold: the news counts what the event list shows
  function changesFilter() {
    return state.minConfidence ? "&min_confidence=" + encodeURIComponent(String(state.minConfidence)) : "";
  }

  function startWatching() {
    var last = storedVisit();
    var first = last ? getJSON("/api/changes?since=" + encodeURIComponent(last) + changesFilter()).then(function (body) {
      showNews(body, "since your last visit (" + last.slice(0, 16).replace("T", " ") + " UTC)");
      refreshList();
      return body.now;
    }) : getJSON("/api/changes?since=" + encodeURIComponent(new Date().toISOString())).then(function (body) { return body.now; });
    first.then(function (now) {
      remember(now);
      watchState.since = now;
      setInterval(poll, REFRESH_MS);
    }).catch(function () { /* an older server without /api/changes: no news line */ });
  }

  function poll() {
    if (document.hidden || !watchState.since) return;
    getJSON("/api/changes?since=" + encodeURIComponent(watchState.since) + changesFilter()).then(function (body) {
      watchState.since = body.now;
      remember(body.now);
      if (body.total > 0) {
        showNews(body, "while this page was open");
        var keep = state.selected;
        loadEvents().then(function () { if (keep && state.byId[keep]) selectEvent(keep, false); });
      }
    }).catch(function () { /* offline for a moment: try again next time */ });
  }

  function openLinkedEvent() {
    var id = new URLSearchParams(window.location.search).get("event");
    if (id && /^SR\d+$/i.test(id)) selectEvent(id.toUpperCase(), false);
  }

  // ------------------------------------------------------------------ start

  function start() {
    document.getElementById("panel-close").addEventListener("click", function () {
      document.getElementById("panel").hidden = true;
      state.selected = null;
      document.querySelectorAll(".event-item[aria-current='true']").forEach(function (b) { b.setAttribute("aria-current", "false"); });
    });
    initBrush();
    getJSON("/api/config").then(function (config) {
      state.minConfidence = config.min_confidence || 0;
      initMap(config);
      return getJSON("/api/facets");
    }).then(function (facets) {
      initFilters(facets);
      return loadEvents();
    }).then(function () {
      openLinkedEvent();
      startWatching();
    }).catch(function (err) {
      var count = document.getElementById("event-count");
      count.textContent = "could not start: " + err.message;
      count.classList.add("error");
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
