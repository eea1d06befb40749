/* pollguard map of polling centers.
 *
 * Data: a compact JSON document (see registry.views.map_data) fetched once; markers are circle
 * markers on a canvas renderer (preferCanvas), which stays responsive with 10,000 centers where
 * one SVG/DOM element per marker would not.
 * Fill color = the center's sector; outline color = its status; radius grows with the square
 * root of the registered voters, so the marker's area is proportional to the voters.
 * With no configured tile server the background is plain and the sectors are drawn as the
 * convex hulls of their centers; a tile layer is added only when a tile URL is configured.
 * Live status changes (pollguard:event) recolor the marker and refresh its popup.
 * Test hooks: window.pollguardMap.markerCount(), .codes(), .statusOf(code), .openPopup(code).
 */
(function () {
  "use strict";

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function cross(o, a, b) {
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  }

  /* Andrew's monotone chain; points are [lat, lon]. */
  function convexHull(points) {
    var pts = points.slice().sort(function (a, b) { return a[0] - b[0] || a[1] - b[1]; });
    if (pts.length < 3) { return pts; }
    var lower = [], upper = [], i;
    for (i = 0; i < pts.length; i++) {
      while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], pts[i]) <= 0) { lower.pop(); }
      lower.push(pts[i]);
    }
    for (i = pts.length - 1; i >= 0; i--) {
      while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], pts[i]) <= 0) { upper.pop(); }
      upper.push(pts[i]);
    }
    upper.pop(); lower.pop();
    return lower.concat(upper);
  }

  function init() {
    var config = readJson("pollguard-map-config");
    var el = document.getElementById("pg-map");
    if (!config || !el || !window.L) { return; }
    var statuses = readJson("pollguard-statuses") || {};
    var L = window.L;
    var rtl = document.documentElement.dir === "rtl";
    var map = L.map(el, { preferCanvas: true, zoomSnap: 0.25, zoomControl: false, attributionControl: !!config.tileUrl });
    // The zoom buttons go on the reading-start side, where the eye begins in each direction.
    L.control.zoom({ position: rtl ? "topright" : "topleft" }).addTo(map);
    var renderer = L.canvas({ padding: 0.5 });
    var markers = {};
    var centers = {};
    var api = {
      map: map,
      ready: false,
      markerCount: function () { return Object.keys(markers).length; },
      statusOf: function (code) { return centers[code] ? centers[code].status : null; },
      codes: function () { return Object.keys(markers); },
      /* Opens a center's popup and returns its text (tests and "show on map" links). */
      openPopup: function (code) {
        var marker = markers[code];
        if (!marker) { return null; }
        marker.openPopup();
        return marker.getPopup().getElement().innerText;
      }
    };
    window.pollguardMap = api;

    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, { maxZoom: 19, attribution: config.tileAttribution || "" }).addTo(map);
    }

    /* Normal states get a thin outline so the sector fill stays readable; the states that
       need attention (delayed, disrupted, closed) a thick one. */
    function outlineWeight(status) {
      return status === "not_open" ? 1 : status === "open" ? 1.5 : 3.5;
    }

    function statusInfo(code) {
      return statuses[code] || { label: code, color: "#333333" };
    }

    /* Built as DOM nodes, not an HTML string: names come from data (escaping is automatic) and
       the Content-Security-Policy forbids inline style attributes. */
    function popupHtml(c) {
      var s = statusInfo(c.status);
      var box = document.createElement("div");
      box.className = "pg-popup";
      var title = document.createElement("strong");
      title.textContent = c.name;
      var code = document.createElement("div");
      code.className = "pg-code";
      code.textContent = c.code;
      var status = document.createElement("div");
      var badge = document.createElement("span");
      badge.className = "pg-badge";
      badge.dataset.liveCenter = c.code;
      badge.dataset.liveField = "status";
      badge.dataset.status = c.status;
      badge.style.setProperty("--pg-color", s.color);
      badge.textContent = s.label;
      status.append(config.labels.status + ": ", badge);
      var voters = document.createElement("div");
      voters.textContent = config.labels.voters + ": " + Number(c.voters).toLocaleString("en-US");
      var link = document.createElement("a");
      link.href = c.url;
      link.textContent = config.labels.open;
      box.append(title, code, status, voters, link);
      return box;
    }

    fetch(config.dataUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
      .then(function (data) {
        var sectorColor = {};
        var bySector = {};
        data.sectors.forEach(function (s) { sectorColor[s.code] = s.color; bySector[s.code] = []; });
        var maxVoters = 1;
        data.centers.forEach(function (row) { if (row[5] > maxVoters) { maxVoters = row[5]; } });
        var bounds = [];
        // rows: [code, name, sector, lat, lon, voters, status, url]
        data.centers.forEach(function (row) {
          var c = { code: row[0], name: row[1], sector: row[2], lat: row[3], lon: row[4], voters: row[5], status: row[6], url: row[7] };
          centers[c.code] = c;
          var radius = 2.5 + 9.5 * Math.sqrt(Math.max(c.voters, 0) / maxVoters);
          var marker = L.circleMarker([c.lat, c.lon], {
            renderer: renderer,
            radius: radius,
            fillColor: sectorColor[c.sector] || "#666666",
            fillOpacity: 0.85,
            color: statusInfo(c.status).color,
            weight: outlineWeight(c.status)
          });
          marker.bindPopup(function () { return popupHtml(c); });
          marker.addTo(map);
          markers[c.code] = marker;
          if (bySector[c.sector]) { bySector[c.sector].push([c.lat, c.lon]); }
          bounds.push([c.lat, c.lon]);
        });
        if (!config.tileUrl) {
          Object.keys(bySector).forEach(function (code) {
            var hull = convexHull(bySector[code]);
            if (hull.length >= 3) {
              L.polygon(hull, {
                renderer: renderer, color: sectorColor[code], weight: 1.5, opacity: 0.7,
                fillColor: sectorColor[code], fillOpacity: 0.08, interactive: false
              }).addTo(map).bringToBack();
            }
          });
        }
        if (bounds.length) {
          map.fitBounds(bounds, { padding: [20, 20] });
        } else {
          map.setView([config.center[0], config.center[1]], 8);
        }
        // "Show on map" links from a center page: /map/#C-0001 centers and opens that center.
        var wanted = decodeURIComponent(window.location.hash.slice(1));
        if (wanted && markers[wanted]) {
          map.setView(markers[wanted].getLatLng(), 13);
          api.openPopup(wanted);
        }
        api.ready = true;
        el.dataset.ready = "true";
        document.dispatchEvent(new CustomEvent("pollguard:map-ready"));
      })
      .catch(function () {
        map.setView([config.center[0], config.center[1]], 8);
        el.dataset.ready = "error";
      });

    document.addEventListener("pollguard:event", function (e) {
      var ev = e.detail;
      var p = ev.payload || ev;
      var c = centers[p.center];
      if (!c || !p.status) { return; }
      c.status = p.status;
      var marker = markers[c.code];
      marker.setStyle({ color: statusInfo(c.status).color, weight: outlineWeight(c.status) });
      marker.bringToFront();
      if (marker.isPopupOpen()) { marker.setPopupContent(popupHtml(c)); }
    });
  }

  document.addEventListener("DOMContentLoaded", init);
})();
