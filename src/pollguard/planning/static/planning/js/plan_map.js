/* One plan version on the map: which unit guards which center, sweep routes, shortfalls.
 *
 * Data: planning.views.plan_map_data (already narrowed to the page's sector or agency
 * view). Centers are circle markers on a canvas renderer: green when fully guarded, red
 * (larger, dark outline, drawn above the others) when short of people; the outline is the
 * sector's color. Unit bases are small dark squares. A guard line goes from a unit's base
 * to each center it guards. The demo's province has some 2,400 assignments: in the whole
 * plan view drawing them all would hide the map under a web of lines, so the lines are
 * drawn lazily, for the center that is clicked; the sector and agency views (a few hundred
 * lines) draw all of theirs at once. Sweep routes are dashed polylines through their stops
 * (tooltip: team, first start to last end); the stops of the routes through the clicked
 * center (or all of a view's) are rings with a tooltip "stop n · team · kind · start–end",
 * and a center's popup lists its own sweep times.
 * Test hooks: window.pollguardPlanMap.ready, .centerCount(), .shortCodes(), .lineCount(),
 * .routeCount(), .stopCount(), .openCenter(code) (returns the popup's text).
 */
(function () {
  "use strict";

  var COVERED = "#146c43";
  var SHORT = "#d62828";
  var GUARD = "#3d5a80";
  var SWEEP = "#7b2cbf";

  function readJson(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function init() {
    var config = readJson("pollguard-plan-map-config");
    var el = document.getElementById("pg-map");
    if (!config || !el || !window.L) { return; }
    var L = window.L;
    var rtl = document.documentElement.dir === "rtl";
    var start = rtl ? "right" : "left";
    // No fade: a popup is readable the moment it opens (and in the guide's screenshots).
    var map = L.map(el, { preferCanvas: true, fadeAnimation: false, zoomControl: false, minZoom: 4, maxZoom: 18, attributionControl: false });
    L.control.zoom({ position: "top" + start }).addTo(map);
    L.control.scale({ metric: true, imperial: false, position: "bottom" + start }).addTo(map);
    map.setView(config.center, 8);
    [["pg-plan-lines", 400], ["pg-plan-stops", 430], ["pg-plan-bases", 440], ["pg-plan-centers", 450], ["pg-plan-short", 460]].forEach(function (p) {
      map.createPane(p[0]).style.zIndex = String(p[1]);
    });
    var lineRenderer = L.canvas({ pane: "pg-plan-lines", padding: 0.5 });
    var centerRenderer = L.canvas({ pane: "pg-plan-centers", padding: 0.5 });
    var shortRenderer = L.canvas({ pane: "pg-plan-short", padding: 0.5 });
    var stopRenderer = L.canvas({ pane: "pg-plan-stops", padding: 0.5 });

    var centers = {}, units = {}, markers = {}, linesByCenter = {}, stopsByCenter = {};
    var routeList = [], routesByCenter = {};
    var lineLayer = L.layerGroup().addTo(map);
    var baseLayer = L.layerGroup().addTo(map);
    var routeLayer = L.layerGroup().addTo(map);
    // Nearly every center is a sweep stop: rings on all of them would bury the towns, so
    // they are drawn, like the guard lines, for the clicked center's routes (or the view's).
    var stopLayer = L.layerGroup().addTo(map);
    var drawnLines = 0, routes = 0, stops = 0;
    var labels = config.labels;

    var api = {
      map: map,
      ready: false,
      centerCount: function () { return Object.keys(markers).length; },
      shortCodes: function () { return Object.keys(centers).filter(function (c) { return centers[c].missing > 0; }); },
      lineCount: function () { return drawnLines; },
      routeCount: function () { return routes; },
      stopCount: function () { return stops; },
      openCenter: function (code) {
        var m = markers[code];
        if (!m) { return null; }
        map.setView(m.getLatLng(), Math.max(map.getZoom(), 13), { animate: false });
        showLinesOf(code);
        m.openPopup();
        return m.getPopup().getElement().innerText;
      }
    };
    window.pollguardPlanMap = api;

    function text(tag, value, cls) {
      var node = document.createElement(tag);
      node.textContent = value;
      if (cls) { node.className = cls; }
      return node;
    }

    /* Codes and times are left-to-right islands in Arabic text ("09:51–10:19" must not
       read "10:19–09:51"): each piece is its own isolated element. */
    function phrase(tag, pieces) {
      var node = document.createElement(tag);
      pieces.forEach(function (piece, i) {
        if (i) { node.append(" · "); }
        if (piece.ltr) {
          var bdi = document.createElement("bdi");
          bdi.dir = "ltr";
          bdi.textContent = piece.ltr;
          node.append(bdi);
        } else {
          node.append(piece);
        }
      });
      return node;
    }

    function stopPieces(route, s) {
      return [{ ltr: route.team }, route.kind_label, { ltr: s[1] + "–" + s[2] }];
    }

    /* DOM nodes, not HTML strings: names come from data, and the CSP forbids inline styles. */
    function popup(c) {
      var box = document.createElement("div");
      box.className = "pg-plan-popup";
      box.append(text("strong", c.name), text("div", c.code, "pg-code"));
      box.append(text("div", labels.sector + ": " + (config.sectorNames[c.sector] || c.sector)));
      var guards = linesByCenter[c.code] || [];
      box.append(text("div", labels.guards + ": " + c.headcount));
      if (guards.length) {
        var ul = document.createElement("ul");
        guards.forEach(function (g) { ul.append(phrase("li", [{ ltr: g[0] }, String(g[1])])); });
        box.append(ul);
      }
      if (c.missing > 0) {
        box.append(text("div", labels.missing + ": " + c.missing, "pg-short"));
      } else {
        box.append(text("div", labels.covered));
      }
      var visits = stopsByCenter[c.code] || [];
      if (visits.length) {
        box.append(text("div", labels.sweeps + ":"));
        var list = document.createElement("ul");
        visits.forEach(function (v) { list.append(phrase("li", v)); });
        box.append(list);
      }
      var link = document.createElement("a");
      link.href = "#row-" + c.code;
      link.textContent = labels.row;
      box.append(link);
      return box;
    }

    function drawLine(line) {
      var unit = units[line[0]], c = centers[line[1]];
      if (!unit || !c) { return; }
      L.polyline([[unit.lat, unit.lon], [c.lat, c.lon]], {
        renderer: lineRenderer, color: GUARD, weight: 1.5, opacity: 0.6, interactive: false
      }).addTo(lineLayer);
      drawnLines += 1;
      if (!unit.drawn) {
        unit.drawn = true;
        // A small square of fixed size (few are drawn at a time, so a DOM marker is cheap).
        L.marker([unit.lat, unit.lon], {
          icon: L.divIcon({ className: "pg-unit-base", iconSize: [8, 8] }), keyboard: false,
          pane: "pg-plan-bases"  // below the centers: a town's bases must not hide its centers
        }).bindTooltip(phrase("span", [{ ltr: unit.code }, labels.unitBase])).addTo(baseLayer);
      }
    }

    function drawStops(route) {
      route.stops.forEach(function (s, i) {
        var c = centers[s[0]];
        if (!c) { return; }
        L.circleMarker([c.lat, c.lon], {
          renderer: stopRenderer, radius: 9, color: SWEEP, weight: 2, fill: false
        }).bindTooltip(phrase("span", [labels.stop + " " + (i + 1)].concat(stopPieces(route, s)))).addTo(stopLayer);
        stops += 1;
      });
    }

    function showLinesOf(code) {
      if (config.scoped) { return; }
      stopLayer.clearLayers();
      stops = 0;
      (routesByCenter[code] || []).forEach(function (i) { drawStops(routeList[i]); });
      lineLayer.clearLayers();
      baseLayer.clearLayers();
      Object.keys(units).forEach(function (u) { units[u].drawn = false; });
      drawnLines = 0;
      (linesByCenter[code] || []).forEach(function (g) { drawLine([g[0], code, g[1]]); });
    }

    fetch(config.dataUrl, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.json(); })
      .then(function (data) {
        data.units.forEach(function (u) {
          units[u[0]] = { code: u[0], agency: u[1], kind: u[2], lat: u[3], lon: u[4], drawn: false };
        });
        data.centers.forEach(function (row) {
          centers[row[0]] = { code: row[0], name: row[1], sector: row[2], lat: row[3], lon: row[4], headcount: row[5], missing: row[6] };
        });
        data.lines.forEach(function (line) {
          (linesByCenter[line[1]] = linesByCenter[line[1]] || []).push([line[0], line[2]]);
        });
        data.routes.forEach(function (route, index) {
          var points = [];
          routeList.push(route);
          route.stops.forEach(function (s) {
            var c = centers[s[0]];
            if (!c) { return; }
            points.push([c.lat, c.lon]);
            (stopsByCenter[s[0]] = stopsByCenter[s[0]] || []).push(stopPieces(route, s));
            (routesByCenter[s[0]] = routesByCenter[s[0]] || []).push(index);
          });
          if (points.length > 1) {
            var first = route.stops[0], last = route.stops[route.stops.length - 1];
            L.polyline(points, { renderer: stopRenderer, color: SWEEP, weight: 2.5, opacity: 0.85, dashArray: "6 5" })
              .bindTooltip(phrase("span", [{ ltr: route.team }, route.kind_label, { ltr: first[1] + "–" + last[2] }]))
              .addTo(routeLayer);
          }
          routes += 1;
        });
        var bounds = [];
        Object.keys(centers).forEach(function (code) {
          var c = centers[code];
          var short = c.missing > 0;
          var marker = L.circleMarker([c.lat, c.lon], {
            renderer: short ? shortRenderer : centerRenderer,
            radius: short ? 7 : 5,
            fillColor: short ? SHORT : COVERED,
            fillOpacity: 0.95,
            color: short ? "#7a0000" : (config.sectorColors[c.sector] || "#555555"),
            weight: short ? 2.5 : 1.5
          });
          marker.bindPopup(function () { return popup(c); });
          marker.on("click", function () { showLinesOf(code); });
          marker.addTo(map);
          markers[code] = marker;
          bounds.push([c.lat, c.lon]);
        });
        if (config.scoped) {
          data.lines.forEach(drawLine);
          routeList.forEach(drawStops);
        }
        if (bounds.length) { map.fitBounds(bounds, { padding: [20, 20], maxZoom: 13 }); }
        api.ready = true;
        el.dataset.ready = "true";
      })
      .catch(function (error) { el.dataset.ready = "error"; console.error("plan map: " + error); });
  }

  document.addEventListener("DOMContentLoaded", init);
})();
