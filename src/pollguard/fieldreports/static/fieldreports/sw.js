/* pollguard field app service worker: keeps the check-in page and its script available
 * offline (network first, cache as fallback). Reports are not queued here: the page keeps
 * them in IndexedDB and retries itself (Background Sync is missing in Firefox and Safari). */
var CACHE = "pollguard-field-v1";
var SHELL = ["/field/", "/static/fieldreports/field.js", "/static/pollguard/css/pollguard.css"];

self.addEventListener("install", function (event) {
  event.waitUntil(caches.open(CACHE).then(function (c) { return c.addAll(SHELL); }).catch(function () {}));
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(self.clients.claim());
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin || url.pathname.indexOf("/api/") === 0) { return; }
  event.respondWith(fetch(request).then(function (response) {
    if (response.ok && SHELL.indexOf(url.pathname) !== -1) {
      var copy = response.clone();
      caches.open(CACHE).then(function (c) { c.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request).then(function (hit) { return hit || Response.error(); });
  }));
});
