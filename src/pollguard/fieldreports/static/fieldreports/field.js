/* pollguard field app: check-ins wait in IndexedDB with their client UUID until the server
 * has them. Sent on submit, on load, when the browser comes back online and every 15 s;
 * a resend of the same UUID is a no-op on the server (200), so retrying is always safe.
 * A 4xx answer other than 408/429 is final: the report is dropped from the outbox with
 * the server's reason shown. */
(function () {
  "use strict";
  var form = document.getElementById("pg-checkin");
  if (!form) { return; }
  var DB = "pollguard-field", STORE = "outbox", RETRY_MS = 15000;
  var pendingEl = document.querySelector("[data-testid=pending-count]");
  var lastEl = document.querySelector("[data-testid=last-sent]");
  var listEl = document.querySelector("[data-testid=outbox-list]");
  var sending = false;

  function open() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore(STORE, { keyPath: "id" }); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }
  function tx(mode, fn) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode);
        var result = fn(t.objectStore(STORE));
        t.oncomplete = function () { resolve(result && result.result !== undefined ? result.result : result); };
        t.onerror = function () { reject(t.error); };
      });
    });
  }
  function all() { return tx("readonly", function (s) { return s.getAll(); }); }
  function put(item) { return tx("readwrite", function (s) { s.put(item); }); }
  function remove(id) { return tx("readwrite", function (s) { s.delete(id); }); }

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }
  function csrf() { var el = form.querySelector("[name=csrfmiddlewaretoken]"); return el ? el.value : ""; }

  function show() {
    return all().then(function (items) {
      pendingEl.textContent = String(items.length);
      listEl.textContent = "";
      items.forEach(function (item) {
        var li = document.createElement("li");
        li.textContent = item.station + " · " + item.slot + " · " + item.status;
        li.dataset.id = item.id;
        listEl.appendChild(li);
      });
    });
  }

  function sendAll() {
    if (sending) { return Promise.resolve(); }
    sending = true;
    return all().then(function (items) {
      return items.reduce(function (chain, item) {
        return chain.then(function () {
          return fetch(form.dataset.endpoint, {
            method: "POST", credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), "Accept": "application/json" },
            body: JSON.stringify(item)
          }).then(function (response) {
            if (response.ok || (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429)) {
              lastEl.textContent = new Date().toLocaleTimeString();
              lastEl.dataset.at = new Date().toISOString();
              return remove(item.id);
            }
          });
        });
      }, Promise.resolve());
    }).catch(function () { /* offline: the next trigger retries */ })
      .then(function () { sending = false; return show(); });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var voters = form.elements.voters.value;
    var item = {
      id: uuid(), station: form.elements.station.value, slot: form.elements.slot.value,
      status: form.elements.status.value, voters: voters === "" ? null : parseInt(voters, 10),
      observed_at: new Date().toISOString()
    };
    put(item).then(show).then(sendAll);
  });
  window.addEventListener("online", sendAll);
  setInterval(sendAll, RETRY_MS);
  show().then(sendAll);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(form.dataset.sw, { scope: "/field/" }).catch(function () {});
  }
})();
