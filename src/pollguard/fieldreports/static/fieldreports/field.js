/* pollguard field app: check-ins and incident reports wait in IndexedDB with their client
 * UUID until the server has them. Sent on submit, on load, when the browser comes back
 * online and every 15 s; a resend of the same UUID is a no-op on the server (200), so
 * retrying is always safe. An incident goes to the incidents API with the UUID as its
 * Idempotency-Key, then its photo (made smaller here first: at most PHOTO_SIDE pixels a
 * side, JPEG) to the incident's photos with the same key. A 4xx answer other than 408/429
 * is final: the report leaves the outbox with the server's reason shown. */
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
      listEl.querySelectorAll("li:not(.pg-refused)").forEach(function (li) { li.remove(); });
      items.forEach(function (item) {
        var li = document.createElement("li");
        li.textContent = item.type === "incident"
          ? item.label + (item.photo ? " · " + (incidentForm ? incidentForm.dataset.labelWithPhoto : "") : "")
          : item.station + " · " + item.slot + " · " + item.status;
        li.dataset.id = item.id;
        listEl.appendChild(li);
      });
    });
  }

  function sent() {
    lastEl.textContent = new Date().toLocaleTimeString();
    lastEl.dataset.at = new Date().toISOString();
  }
  function final(status) { return status >= 400 && status < 500 && status !== 408 && status !== 429; }
  function refused(item, text) {
    var li = document.createElement("li");
    li.className = "pg-refused pg-message pg-message--error";
    li.dataset.testid = "outbox-refused";
    li.setAttribute("data-testid", "outbox-refused");
    li.textContent = (item.label || item.station || "") + ": " + text;
    listEl.appendChild(li);
  }
  function reason(response) {
    return response.json().then(function (j) {
      return Array.isArray(j.detail) ? j.detail.join("; ") : String(j.detail || response.status);
    }, function () { return String(response.status); });
  }

  function post(url, body, type, key) {
    var headers = { "Content-Type": type, "X-CSRFToken": csrf(), "Accept": "application/json" };
    if (key) { headers["Idempotency-Key"] = key; }
    return fetch(url, { method: "POST", credentials: "same-origin", headers: headers, body: body });
  }

  /* The incident first (once: its code is kept), then the photo; a network failure
   * leaves the item for the next try. */
  function sendIncident(item) {
    var filed = item.code ? Promise.resolve(item.code)
      : post(incidentForm ? incidentForm.dataset.endpoint : "/api/v1/incidents", JSON.stringify(item.body), "application/json", item.id)
        .then(function (response) {
          if (response.ok) { return response.json().then(function (j) { return j.code; }); }
          if (final(response.status)) {
            return reason(response).then(function (text) { refused(item, text); return remove(item.id).then(function () { return null; }); });
          }
          return null;
        });
    return filed.then(function (code) {
      if (!code) { return; }
      if (!item.photo) { sent(); return remove(item.id); }
      item.code = code;
      return put(item).then(function () {
        return post("/api/v1/incidents/" + encodeURIComponent(code) + "/photos", item.photo, item.photo.type || "image/jpeg", item.id);
      }).then(function (response) {
        if (response.ok) { sent(); return remove(item.id); }
        if (final(response.status)) {
          return reason(response).then(function (text) { refused(item, text); return remove(item.id); });
        }
      });
    });
  }

  function sendAll() {
    if (sending) { return Promise.resolve(); }
    sending = true;
    return all().then(function (items) {
      return items.reduce(function (chain, item) {
        return chain.then(function () {
          if (item.type === "incident") { return sendIncident(item); }
          return fetch(form.dataset.endpoint, {
            method: "POST", credentials: "same-origin",
            headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(), "Accept": "application/json" },
            body: JSON.stringify(item)
          }).then(function (response) {
            if (response.ok) { sent(); return remove(item.id); }
            if (final(response.status)) {
              return reason(response).then(function (text) { refused(item, text); return remove(item.id); });
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
  /* The incident form: the reporter's center or the phone's position, an optional photo. */
  var incidentForm = document.getElementById("pg-field-incident");
  var PHOTO_SIDE = 1600;
  var position = null;
  /* Decoded without a blob: URL (the site's Content-Security-Policy allows images from
   * itself and data: only): createImageBitmap where the browser has it, else a data URL. */
  function decode(file) {
    if (window.createImageBitmap) { return createImageBitmap(file); }
    return new Promise(function (resolve, reject) {
      var reader = new FileReader();
      reader.onload = function () {
        var img = new Image();
        img.onload = function () { resolve(img); };
        img.onerror = reject;
        img.src = reader.result;
      };
      reader.onerror = reject;
      reader.readAsDataURL(file);
    });
  }
  function shrink(file, maxBytes) {
    if (!file) { return Promise.resolve(null); }
    return decode(file).then(function (img) {
      var w = img.naturalWidth || img.width, h = img.naturalHeight || img.height;
      var scale = Math.min(1, PHOTO_SIDE / Math.max(w, h));
      var canvas = document.createElement("canvas");
      canvas.width = Math.max(1, Math.round(w * scale));
      canvas.height = Math.max(1, Math.round(h * scale));
      canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
      if (img.close) { img.close(); }
      return new Promise(function (resolve, reject) {
        var quality = 0.82;
        (function encode() {
          canvas.toBlob(function (blob) {
            if (blob && blob.size > maxBytes && quality > 0.4) { quality -= 0.2; encode(); return; }
            if (!blob || blob.size > maxBytes) { reject(new Error("photo")); return; }
            resolve(blob);
          }, "image/jpeg", quality);
        })();
      });
    });
  }
  if (incidentForm) {
    var errorEl = incidentForm.querySelector("[data-testid=incident-error]");
    var positionEl = incidentForm.querySelector("[data-testid=incident-position]");
    var say = function (text) { errorEl.textContent = text; errorEl.hidden = !text; };
    /* The phone asks the user once he chooses "where I am" (or sends with it chosen). */
    var locate = function (then) {
      if (!navigator.geolocation) { say(incidentForm.dataset.labelNoPosition); return; }
      navigator.geolocation.getCurrentPosition(function (pos) {
        position = { lat: Number(pos.coords.latitude.toFixed(6)), lon: Number(pos.coords.longitude.toFixed(6)) };
        positionEl.textContent = incidentForm.dataset.labelPosition + ": " + position.lat + ", " + position.lon;
        say("");
        if (then) { then(); }
      }, function () { position = null; say(incidentForm.dataset.labelNoPosition); }, { enableHighAccuracy: true, timeout: 20000 });
    };
    incidentForm.querySelectorAll("input[name=where]").forEach(function (radio) {
      radio.addEventListener("change", function () { if (radio.checked && radio.value === "point") { locate(); } });
    });
    incidentForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var where = incidentForm.querySelector("input[name=where]:checked");
      if (where && where.value === "point" && !position) { locate(function () { incidentForm.requestSubmit(); }); return; }
      var seen = incidentForm.elements.observed_at.value;
      var body = {
        kind: incidentForm.elements.kind.value,
        severity: parseInt(incidentForm.elements.severity.value, 10),
        text: incidentForm.elements.text.value,
        observed_at: (seen ? new Date(seen) : new Date()).toISOString()
      };
      if (where && where.value === "center") { body.center = where.dataset.center; }
      else { body.lat = position.lat; body.lon = position.lon; }
      var kindLabel = incidentForm.elements.kind.options[incidentForm.elements.kind.selectedIndex].text;
      var file = incidentForm.elements.photo.files[0];
      shrink(file, parseInt(incidentForm.dataset.photoMax, 10)).then(function (photo) {
        say("");
        return put({ id: uuid(), type: "incident", body: body, photo: photo, code: null,
                     label: kindLabel + " · " + body.severity });
      }, function () {
        say(incidentForm.dataset.labelBadPhoto);
        return Promise.reject(new Error("photo"));
      }).then(function () {
        incidentForm.reset();
        if (where && where.value === "point") { incidentForm.querySelector("input[value=point]").checked = true; }
        return show();
      }).then(sendAll, function () {});
    });
  }

  window.addEventListener("online", sendAll);
  setInterval(sendAll, RETRY_MS);
  show().then(sendAll);
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(form.dataset.sw, { scope: "/field/" }).catch(function () {});
  }
})();
