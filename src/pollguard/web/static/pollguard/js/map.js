/* pollguard map of polling centers (the map page and the wall display).
 *
 * Data: a compact JSON document (see registry.map_views.map_data) fetched once; markers are
 * circle markers on canvas renderers, which stay responsive with 10,000 centers where one
 * DOM element per marker would not.
 *
 * What the operations room must see first is status, so the fill is the status color and the
 * sector is only a quiet outline. The exceptions (statuses flagged `exception`: delayed,
 * disrupted, closed) are never clustered and live in their own pane above everything but
 * popups, so they stay on top after any reload or live change. The other centers are
 * clustered (Leaflet.markercluster); a cluster shows its count in the color of its most
 * severe member. Filters (status, sector) live in the query string so views can be linked.
 * Beside the map, a list of the exceptions in view gives keyboard and screen-reader users
 * the same way in as a click on the canvas.
 *
 * With no configured tile server the background is plain: town labels (districts at the
 * centroid of their centers), a scale bar, and the sectors: the package's outlines
 * (areas.geojson) where it has them, solid; else convex hulls of their centers, drawn
 * dashed and labelled "approximate area" because that is all they are.
 * Live status changes (pollguard:event) recolor the marker, move it between the layers,
 * refresh the clusters and the list, and on the wall the figures.
 * Test hooks: window.pollguardMap.markerCount(), .shownCount(), .codes(), .statusOf(code),
 * .fillOf(code), .layerOf(code), .marker(code), .openPopup(code), .map.
 */
(function () {
  "use strict";

  var SINGLE_CENTER_ZOOM = 14;   // a town block: the center and the streets around it
  var UNCLUSTER_ZOOM = 13;
  var LIST_LIMIT = 100;

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

  function luminance(hex) {
    var n = parseInt(hex.slice(1), 16);
    return [n >> 16, (n >> 8) & 255, n & 255].map(function (v) {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    }).reduce(function (sum, v, i) { return sum + v * [0.2126, 0.7152, 0.0722][i]; }, 0);
  }

  /* Black or white, whichever reads better on the status color (WCAG contrast ratio). */
  function textOn(hex) {
    var l = luminance(hex);
    return (l + 0.05) / 0.05 >= 1.05 / (l + 0.05) ? "#000000" : "#ffffff";
  }

  function fmt(template, count) {
    return template.replace("%(count)s", Number(count).toLocaleString("en-US"));
  }

  function init() {
    var config = readJson("pollguard-map-config");
    var el = document.getElementById("pg-map");
    if (!config || !el || !window.L) { return; }
    var L = window.L;
    var statuses = {};
    config.statuses.forEach(function (s) { statuses[s.value] = s; });
    var rtl = document.documentElement.dir === "rtl";
    var start = rtl ? "right" : "left";
    var map = L.map(el, {
      preferCanvas: true, zoomSnap: 0.25, zoomControl: false, minZoom: 4, maxZoom: 18,
      attributionControl: !!config.tileUrl
    });
    // The zoom buttons go on the reading-start side, where the eye begins in each direction.
    L.control.zoom({ position: "top" + start }).addTo(map);
    L.control.scale({ metric: true, imperial: false, position: "bottom" + start }).addTo(map);

    [["pg-areas", 350], ["pg-labels", 420], ["pg-normal", 450], ["pg-exceptions", 640]].forEach(function (p) {
      map.createPane(p[0]).style.zIndex = String(p[1]);
    });
    map.getPane("pg-labels").style.pointerEvents = "none";
    var normalRenderer = L.canvas({ pane: "pg-normal", padding: 0.5 });
    var exceptionRenderer = L.canvas({ pane: "pg-exceptions", padding: 0.5 });
    var areaRenderer = L.canvas({ pane: "pg-areas", padding: 0.5 });

    var markers = {};
    var centers = {};
    var sectorInfo = {};
    var exceptionLayer = L.layerGroup().addTo(map);
    var clusters = L.markerClusterGroup({
      maxClusterRadius: 45,
      disableClusteringAtZoom: UNCLUSTER_ZOOM,
      showCoverageOnHover: false,
      spiderfyOnMaxZoom: false,
      chunkedLoading: true,
      iconCreateFunction: clusterIcon
    }).addTo(map);

    var filterForm = document.getElementById("pg-map-filters");
    var listEl = document.getElementById("pg-exceptions-list");
    var countEl = document.getElementById("pg-exceptions-count");

    function statusInfo(code) {
      return statuses[code] || { label: code, color: "#333333", severity: 0, exception: false };
    }

    function clusterIcon(cluster) {
      var worst = null;
      cluster.getAllChildMarkers().forEach(function (m) {
        var s = statusInfo(m.options.pgStatus);
        if (!worst || s.severity > worst.severity) { worst = s; }
      });
      var count = cluster.getChildCount();
      var size = count < 10 ? 30 : count < 100 ? 36 : 44;
      var span = document.createElement("span");
      span.className = "pg-cluster-count";
      span.textContent = String(count);
      span.style.setProperty("--pg-color", worst.color);
      span.style.setProperty("--pg-on-color", textOn(worst.color));
      return L.divIcon({ html: span, className: "pg-cluster pg-cluster--" + worst.value, iconSize: [size, size] });
    }

    var api = {
      map: map,
      ready: false,
      markerCount: function () { return Object.keys(markers).length; },
      shownCount: function () { return exceptionLayer.getLayers().length + clusters.getLayers().length; },
      statusOf: function (code) { return centers[code] ? centers[code].status : null; },
      fillOf: function (code) { return markers[code] ? markers[code].options.fillColor : null; },
      layerOf: function (code) {
        var m = markers[code];
        if (!m) { return null; }
        return exceptionLayer.hasLayer(m) ? "exceptions" : clusters.hasLayer(m) ? "clusters" : "hidden";
      },
      codes: function () { return Object.keys(markers); },
      marker: function (code) { return markers[code] || null; },
      /* Opens a center's popup and returns its text (tests, the list, "show on map" links). */
      openPopup: function (code) {
        var marker = markers[code];
        if (!marker) { return null; }
        if (!map.hasLayer(marker)) {
          // Inside a cluster: come close enough for it to stand alone.
          map.setView(marker.getLatLng(), Math.max(map.getZoom(), UNCLUSTER_ZOOM + 1), { animate: false });
        }
        if (!map.hasLayer(marker)) { return null; }
        marker.openPopup();
        return marker.getPopup().getElement().innerText;
      }
    };
    window.pollguardMap = api;

    if (config.tileUrl) {
      L.tileLayer(config.tileUrl, { maxZoom: 19, attribution: config.tileAttribution || "" }).addTo(map);
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
      var sector = document.createElement("div");
      sector.textContent = config.labels.sector + ": " + ((sectorInfo[c.sector] || {}).name || c.sector);
      var voters = document.createElement("div");
      voters.textContent = config.labels.voters + ": " + Number(c.voters).toLocaleString("en-US");
      var link = document.createElement("a");
      link.href = c.url;
      link.textContent = config.labels.open;
      box.append(title, code, status, sector, voters, link);
      return box;
    }

    function style(c) {
      var s = statusInfo(c.status);
      return {
        fillColor: s.color,
        fillOpacity: s.exception ? 1 : 0.9,
        color: s.exception ? "#111111" : (sectorInfo[c.sector] || {}).color || "#555555",
        weight: s.exception ? 2 : 1.5,
        pgStatus: c.status
      };
    }

    /* --- filters, kept in the query string ---------------------------------------- */
    function readFilters() {
      var f = { statuses: {}, sector: "" };
      if (!filterForm) {
        Object.keys(statuses).forEach(function (s) { f.statuses[s] = true; });
        return f;
      }
      filterForm.querySelectorAll("input[name=status]").forEach(function (box) { f.statuses[box.value] = box.checked; });
      var sel = filterForm.querySelector("select[name=sector]");
      f.sector = sel ? sel.value : "";
      return f;
    }
    var filters = readFilters();

    function passes(c) {
      return !!filters.statuses[c.status] && (!filters.sector || filters.sector === c.sector);
    }

    function writeQuery() {
      var params = new URLSearchParams();
      var all = Object.keys(statuses).every(function (s) { return filters.statuses[s]; });
      if (!all) {
        Object.keys(statuses).forEach(function (s) { if (filters.statuses[s]) { params.append("status", s); } });
      }
      if (filters.sector) { params.set("sector", filters.sector); }
      var q = params.toString();
      history.replaceState(null, "", window.location.pathname + (q ? "?" + q : "") + window.location.hash);
    }

    /* Puts every marker in the layer its status and the filters call for. */
    function place(code) {
      var c = centers[code];
      var m = markers[code];
      var wantExc = passes(c) && statusInfo(c.status).exception;
      var wantClu = passes(c) && !statusInfo(c.status).exception;
      if (exceptionLayer.hasLayer(m) && !wantExc) { exceptionLayer.removeLayer(m); }
      if (clusters.hasLayer(m) && !wantClu) { clusters.removeLayer(m); }
      m.options.renderer = wantExc ? exceptionRenderer : normalRenderer;
      if (wantExc && !exceptionLayer.hasLayer(m)) { exceptionLayer.addLayer(m); }
      if (wantClu && !clusters.hasLayer(m)) { clusters.addLayer(m); }
    }

    function placeAll() {
      var exc = [], clu = [];
      exceptionLayer.clearLayers();
      clusters.clearLayers();
      Object.keys(centers).forEach(function (code) {
        var c = centers[code];
        if (!passes(c)) { return; }
        var isExc = statusInfo(c.status).exception;
        markers[code].options.renderer = isExc ? exceptionRenderer : normalRenderer;
        (isExc ? exc : clu).push(markers[code]);
      });
      exc.forEach(function (m) { exceptionLayer.addLayer(m); });
      clusters.addLayers(clu);
    }

    if (filterForm) {
      filterForm.addEventListener("change", function () {
        filters = readFilters();
        writeQuery();
        if (api.ready) { placeAll(); renderList(); }
      });
      filterForm.addEventListener("submit", function (e) { e.preventDefault(); });
    }

    /* --- the exceptions in view --------------------------------------------------- */
    function renderList() {
      if (!listEl) { return; }
      var bounds = map.getBounds();
      var focused = document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.center : null;
      var rows = [];
      Object.keys(centers).forEach(function (code) {
        var c = centers[code];
        if (statusInfo(c.status).exception && passes(c) && bounds.contains([c.lat, c.lon])) { rows.push(c); }
      });
      rows.sort(function (a, b) {
        return statusInfo(b.status).severity - statusInfo(a.status).severity || a.code.localeCompare(b.code);
      });
      var frag = document.createDocumentFragment();
      rows.slice(0, LIST_LIMIT).forEach(function (c) {
        var s = statusInfo(c.status);
        var li = document.createElement("li");
        var button = document.createElement("button");
        button.type = "button";
        button.className = "pg-exception";
        button.dataset.center = c.code;
        var badge = document.createElement("span");
        badge.className = "pg-exception-status";
        badge.dataset.status = c.status;
        badge.style.setProperty("--pg-color", s.color);
        badge.style.setProperty("--pg-on-color", textOn(s.color));
        badge.textContent = s.label;
        var name = document.createElement("span");
        name.className = "pg-exception-name";
        name.textContent = c.name;
        var code = document.createElement("span");
        code.className = "pg-code";
        code.textContent = c.code;
        button.append(badge, name, code);
        li.append(button);
        frag.append(li);
      });
      if (rows.length > LIST_LIMIT) {
        var more = document.createElement("li");
        more.className = "pg-muted";
        more.textContent = fmt(config.labels.more, rows.length - LIST_LIMIT);
        frag.append(more);
      }
      listEl.replaceChildren(frag);
      if (countEl) {
        var text = rows.length ? fmt(config.labels.inView, rows.length) : config.labels.noneInView;
        if (countEl.textContent !== text) { countEl.textContent = text; }
        countEl.dataset.count = String(rows.length);
      }
      if (focused) {
        var again = listEl.querySelector('[data-center="' + CSS.escape(focused) + '"]');
        if (again) { again.focus({ preventScroll: true }); }
      }
    }

    if (listEl) {
      listEl.addEventListener("click", function (e) {
        var button = e.target.closest("button[data-center]");
        if (!button) { return; }
        var c = centers[button.dataset.center];
        if (!c) { return; }
        map.setView([c.lat, c.lon], Math.max(map.getZoom(), SINGLE_CENTER_ZOOM), { animate: false });
        api.openPopup(c.code);
      });
    }
    map.on("moveend", function () { if (api.ready) { renderList(); } });
    map.on("zoomend", function () { el.classList.toggle("pg-map--near", map.getZoom() >= 10); });

    /* --- the wall's figures and clock --------------------------------------------- */
    var counts = {};
    function renderCounts() {
      var exc = 0;
      Object.keys(statuses).forEach(function (s) {
        var n = counts[s] || 0;
        if (statuses[s].exception) { exc += n; }
        document.querySelectorAll('[data-kpi-status="' + s + '"]').forEach(function (node) {
          node.textContent = n.toLocaleString("en-US");
        });
      });
      document.querySelectorAll("[data-kpi=exceptions]").forEach(function (node) {
        node.textContent = exc.toLocaleString("en-US");
      });
    }
    var clockFormat = new Intl.DateTimeFormat(config.language === "ar" ? "ar-IQ-u-nu-latn" : "en-GB", {
      timeZone: config.timezone, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false
    });
    function tick() {
      document.querySelectorAll("[data-kpi=clock]").forEach(function (node) {
        node.textContent = clockFormat.format(new Date());
      });
    }
    if (config.wall) { tick(); setInterval(tick, 1000); }

    /* --- drawing ------------------------------------------------------------------ */
    function label(latlng, text, className) {
      var span = document.createElement("span");
      span.textContent = text;
      L.marker(latlng, {
        pane: "pg-labels", interactive: false, keyboard: false,
        icon: L.divIcon({ html: span, className: className, iconSize: null })
      }).addTo(map);
    }

    function centroid(points) {
      var lat = 0, lon = 0;
      points.forEach(function (p) { lat += p[0]; lon += p[1]; });
      return [lat / points.length, lon / points.length];
    }

    function drawAreas(data, bySector) {
      // The package's outlines (areas.geojson): solid, and drawn over tiles too, because
      // they are the directorate's own boundaries. Returns the sectors they cover.
      var outlined = {};
      (data.areas || []).forEach(function (area) {
        var sector = area.kind === "sector" ? sectorInfo[area.code] : null;
        if (area.kind === "sector" && !sector) { return; }
        var color = sector ? (sector.color || "#555555") : "#6b7280";
        L.geoJSON(area.geometry, {
          renderer: areaRenderer, interactive: false,
          style: sector
            ? { color: color, weight: 2, opacity: 0.7, fillColor: color, fillOpacity: 0.05 }
            : { color: color, weight: 1, opacity: 0.5, dashArray: "2 4", fill: false }
        }).addTo(map);
        if (sector) {
          outlined[area.code] = true;
          var points = bySector[area.code] || [];
          if (points.length) { label(centroid(points), sector.name, "pg-area-label"); }
        }
      });
      map.getContainer().dataset.areas = String(Object.keys(outlined).length);
      return outlined;
    }

    function drawBackground(data, bySector) {
      var outlined = drawAreas(data, bySector);
      if (config.tileUrl) { return; }
      Object.keys(bySector).forEach(function (code) {
        if (outlined[code]) { return; }
        var hull = convexHull(bySector[code]);
        if (hull.length < 3) { return; }
        var color = sectorInfo[code].color || "#555555";
        L.polygon(hull, {
          renderer: areaRenderer, color: color, weight: 1.5, opacity: 0.6, dashArray: "6 6",
          fillColor: color, fillOpacity: 0.04, interactive: false
        }).addTo(map);
        label(centroid(hull), sectorInfo[code].name + " · " + config.labels.approximate,
          "pg-area-label");
      });
      (data.districts || []).forEach(function (d) {
        label([d.lat, d.lon], d.name, d.major ? "pg-town-label" : "pg-town-label pg-town-label--minor");
      });
    }

    fetch(config.dataUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
      .then(function (data) {
        var bySector = {};
        data.sectors.forEach(function (s) { sectorInfo[s.code] = s; bySector[s.code] = []; });
        var maxVoters = 1;
        data.centers.forEach(function (row) { if (row[5] > maxVoters) { maxVoters = row[5]; } });
        var bounds = [];
        // rows: [code, name, sector, lat, lon, voters, status, url, district]
        data.centers.forEach(function (row) {
          var c = { code: row[0], name: row[1], sector: row[2], lat: row[3], lon: row[4], voters: row[5], status: row[6], url: row[7] };
          centers[c.code] = c;
          counts[c.status] = (counts[c.status] || 0) + 1;
          var options = style(c);
          options.radius = 4 + 8 * Math.sqrt(Math.max(c.voters, 0) / maxVoters);
          options.renderer = normalRenderer;
          var marker = L.circleMarker([c.lat, c.lon], options);
          marker.bindPopup(function () { return popupHtml(c); });
          markers[c.code] = marker;
          if (bySector[c.sector]) { bySector[c.sector].push([c.lat, c.lon]); }
          bounds.push([c.lat, c.lon]);
        });
        drawBackground(data, bySector);
        if (bounds.length) {
          // One center (a field reporter) has bounds of size zero: without maxZoom the zoom
          // would be the map's maximum, or infinite with no tile layer.
          map.fitBounds(bounds, { padding: [40, 40], maxZoom: SINGLE_CENTER_ZOOM, animate: false });
        } else {
          map.setView([config.center[0], config.center[1]], 8);
        }
        placeAll();
        if (config.wall) { renderCounts(); }
        api.ready = true;
        renderList();
        // "Show on map" links from a center page: /map/#C-0001 centers and opens that center.
        var wanted = decodeURIComponent(window.location.hash.slice(1));
        if (wanted && markers[wanted]) {
          map.setView(markers[wanted].getLatLng(), SINGLE_CENTER_ZOOM + 1, { animate: false });
          api.openPopup(wanted);
        }
        el.dataset.ready = "true";
        document.dispatchEvent(new CustomEvent("pollguard:map-ready"));
      })
      .catch(function (err) {
        map.setView([config.center[0], config.center[1]], 8);
        el.dataset.ready = "error";
        if (window.console) { window.console.warn(err); }
      });

    document.addEventListener("pollguard:event", function (e) {
      var ev = e.detail;
      var p = ev.payload || ev;
      var c = centers[p.center];
      if (!c || !p.status || !api.ready) { return; }
      var before = c.status;
      counts[before] = Math.max((counts[before] || 0) - 1, 0);
      counts[p.status] = (counts[p.status] || 0) + 1;
      c.status = p.status;
      // The figures first: they must not depend on the drawing below.
      if (config.wall) {
        renderCounts();
        var when = ev.time ? new Date(ev.time) : new Date();
        document.querySelectorAll("[data-kpi=last-change]").forEach(function (node) {
          node.textContent = clockFormat.format(when);
          node.dataset.center = c.code;
        });
      }
      var marker = markers[c.code];
      var stayedClustered = clusters.hasLayer(marker) && !statusInfo(c.status).exception;
      marker.setStyle(style(c));
      place(c.code);
      // A marker that moved between the layers has been added afresh (its cluster icons are
      // recomputed then); one that stayed in a cluster needs that cluster redrawn.
      if (stayedClustered) { clusters.refreshClusters(marker); }
      if (marker.isPopupOpen()) { marker.setPopupContent(popupHtml(c)); }
      renderList();
    });
  }

  document.addEventListener("DOMContentLoaded", init);
})();
