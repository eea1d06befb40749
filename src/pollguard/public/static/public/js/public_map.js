/* The public center page's map: one marker on a plain background, or on tiles when the
 * server has a tile URL (POLLGUARD_TILE_URL). Leaflet comes from our own static files.
 * Test hook: window.pollguardPublicMap.map. */
(function () {
  "use strict";
  var el = document.getElementById("pp-map");
  if (!el || typeof L === "undefined") { return; }
  var lat = parseFloat(el.dataset.lat);
  var lon = parseFloat(el.dataset.lon);
  if (!isFinite(lat) || !isFinite(lon)) { return; }
  var tileUrl = el.dataset.tileUrl || "";
  var map = L.map(el, { attributionControl: !!tileUrl, scrollWheelZoom: false }).setView([lat, lon], 15);
  if (tileUrl) {
    L.tileLayer(tileUrl, { maxZoom: 19, attribution: el.dataset.tileAttribution || "" }).addTo(map);
  }
  L.circleMarker([lat, lon], { radius: 10, color: "#0b3d6e", weight: 3, fillColor: "#146c43", fillOpacity: 0.9 }).addTo(map);
  L.control.scale({ imperial: false }).addTo(map);
  window.pollguardPublicMap = { map: map };
})();
