/* Operations layers on the live map: incident markers (icon by kind, color by severity) and
 * units (color by status), each a layer the user can switch on and off. Data from
 * /operations/map.json once; the live feed (pollguard:event) adds and updates markers.
 * Test hooks: window.pollguardOpsMap.incidentCodes(), .unitColor(code), .visible(layer).
 */
(function () {
  "use strict";

  function readJson(id) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  function start(base, config) {
    var L = window.L, map = base.map;
    var incidents = L.layerGroup().addTo(map), units = L.layerGroup().addTo(map);
    var incidentMarkers = {}, unitMarkers = {};
    var FINISHED = { rejected: 1, duplicate: 1, resolved: 1, closed: 1 };

    function incidentIcon(i) {
      /* The kind's symbol from the project's sprite (no font needed), named for screen
       * readers by the kind in the user's language. */
      var NS = "http://www.w3.org/2000/svg";
      var span = document.createElement("span");
      span.className = "pg-incident-marker";
      span.dataset.kindIcon = i.kind || "other";
      var svg = document.createElementNS(NS, "svg");
      svg.setAttribute("viewBox", "0 0 24 24");
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-label", i.kind_label || i.kind || "");
      svg.setAttribute("focusable", "false");
      var use = document.createElementNS(NS, "use");
      use.setAttribute("href", config.sprite + "#" + (i.icon || "kind-other"));
      svg.appendChild(use);
      span.appendChild(svg);
      span.style.setProperty("--pg-color", i.color);
      span.title = i.code + " · " + (i.kind_label || i.kind || "");
      return L.divIcon({ html: span, className: "pg-incident-icon", iconSize: [26, 26] });
    }

    function putIncident(i) {
      var old = incidentMarkers[i.code];
      if (old) { incidents.removeLayer(old); delete incidentMarkers[i.code]; }
      if (FINISHED[i.state]) { return; }
      var m = L.marker([i.lat, i.lon], { icon: incidentIcon(i), keyboard: true, title: i.code, zIndexOffset: 1000 });
      var a = document.createElement("a");
      a.href = i.url || ("/operations/" + encodeURIComponent(i.code) + "/");
      a.textContent = i.code + " " + (i.kind_label || i.kind);
      m.bindPopup(a);
      m.addTo(incidents);
      incidentMarkers[i.code] = m;
    }

    function putUnit(u) {
      var m = unitMarkers[u.code];
      if (m) { m.setStyle({ color: u.color, fillColor: u.color }); m.options.pgStatus = u.status; return; }
      m = L.circleMarker([u.lat, u.lon], { radius: 6, color: u.color, fillColor: u.color, fillOpacity: 0.9, weight: 2 });
      m.options.pgStatus = u.status;
      m.bindTooltip(u.code + " · " + (config.statusLabels[u.status] || u.status));
      m.addTo(units);
      unitMarkers[u.code] = m;
    }

    var overlays = {};
    overlays[config.labels.incidents] = incidents;
    overlays[config.labels.units] = units;
    L.control.layers(null, overlays, { collapsed: false }).addTo(map);

    window.pollguardOpsMap = {
      ready: false,
      incidentCodes: function () { return Object.keys(incidentMarkers).sort(); },
      unitColor: function (code) { return unitMarkers[code] ? unitMarkers[code].options.fillColor : null; },
      unitStatus: function (code) { return unitMarkers[code] ? unitMarkers[code].options.pgStatus : null; },
      visible: function (layer) { return map.hasLayer(layer === "units" ? units : incidents); }
    };

    fetch(config.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        data.incidents.forEach(putIncident);
        data.units.forEach(putUnit);
        window.pollguardOpsMap.ready = true;
      });

    document.addEventListener("pollguard:event", function (e) {
      var ev = e.detail || {}, p = ev;
      if (ev.kind === "incident" || ev.kind === "incident.escalated") {
        putIncident({ code: p.incident, lat: p.lat, lon: p.lon, icon: p.icon, color: p.color, state: p.state, kind: p.incident_kind, kind_label: (config.kindLabels || {})[p.incident_kind] });
      } else if (ev.kind === "unit.status") {
        putUnit({ code: p.unit, lat: p.lat, lon: p.lon, status: p.status, color: p.color });
      }
    });
  }

  function wait() {
    var config = readJson("pollguard-ops-map");
    if (!config) { return; }
    if (window.pollguardMap && window.pollguardMap.map) { start(window.pollguardMap, config); return; }
    window.setTimeout(wait, 100);
  }
  wait();
})();
