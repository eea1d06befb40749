/* pollguard live updates: a small polling client for GET /live/events?after=P.
 *
 * Why polling: it works through every proxy and in every server process (the server reads the
 * change feed from the database), and a 1 s period keeps a change visible within 2 s.
 *
 * Guarantees:
 * - each event is applied once: ids already applied are skipped, even if a retried request
 *   returns some of them again; positions and ids are opaque tokens made by the server for
 *   this user (the feed's row ids would tell how much happens elsewhere), so the client
 *   never compares them, it only sends back the last position it was given;
 * - after a network loss or a server error the client keeps trying with exponential back-off
 *   (1 s, 2 s, 4 s, capped at 5 s) and resumes from its cursor, so nothing is missed;
 * - only one request is in flight at a time;
 * - the page reloads when the server answers {"reload": true}: the feed URL names the
 *   election the page shows, and the user has since chosen another one.
 *
 * Pages listen with: document.addEventListener("pollguard:event", (e) => e.detail ...).
 * Elements marked data-live-center="CODE" data-live-field="status" are updated here, so any
 * page that shows a center's status badge stays current without code of its own.
 */
(function () {
  "use strict";

  var BASE_DELAY = 1000;
  var MAX_DELAY = 5000;

  function readJson(id) {
    var el = document.getElementById(id);
    if (!el) { return null; }
    try { return JSON.parse(el.textContent); } catch (e) { return null; }
  }

  function PollguardLive(options) {
    this.url = options.url;
    this.after = typeof options.after === "string" ? options.after : "";
    this.delay = BASE_DELAY;
    this.applied = new Set();
    this.timer = null;
    this.inFlight = false;
    this.stopped = false;
    this.okCount = 0;  // successful polls, for tests and the status indicator
    this.stateEl = options.stateEl || null;
    this.statuses = options.statuses || {};
  }

  PollguardLive.prototype.setState = function (state) {
    if (this.stateEl) {
      this.stateEl.dataset.state = state;
      var label = this.stateEl.dataset["label" + state.charAt(0).toUpperCase() + state.slice(1)];
      if (label) { this.stateEl.textContent = label; }
    }
  };

  PollguardLive.prototype.schedule = function (ms) {
    var self = this;
    if (this.stopped) { return; }
    clearTimeout(this.timer);
    this.timer = setTimeout(function () { self.poll(); }, ms);
  };

  PollguardLive.prototype.poll = function () {
    var self = this;
    if (this.inFlight || this.stopped) { return; }
    this.inFlight = true;
    var sep = this.url.indexOf("?") === -1 ? "?" : "&";
    fetch(this.url + sep + "after=" + encodeURIComponent(this.after), {
      credentials: "same-origin",
      headers: { "Accept": "application/json" },
      cache: "no-store"
    }).then(function (response) {
      if (!response.ok) { throw new Error("HTTP " + response.status); }
      return response.json();
    }).then(function (data) {
      if (data && data.reload) {
        // The user chose another election (in another tab): this page shows the old one.
        self.stop();
        self.setState("reloading");
        window.location.reload();
        return;
      }
      self.inFlight = false;
      self.delay = BASE_DELAY;
      self.okCount += 1;
      self.setState("ok");
      self.receive(data);
      self.schedule(BASE_DELAY);
    }).catch(function () {
      self.inFlight = false;
      self.setState("retrying");
      self.delay = Math.min(self.delay * 2, MAX_DELAY);
      self.schedule(self.delay);
    });
  };

  PollguardLive.prototype.receive = function (data) {
    var events = (data && data.events) || [];
    for (var i = 0; i < events.length; i++) {
      var ev = events[i];
      var id = String(ev.id);
      if (this.applied.has(id)) { continue; }
      this.applied.add(id);
      this.apply(ev);
    }
    if (data && typeof data.last === "string" && data.last) {
      // The server has looked at every event up to `last` (the user's filter may have hidden
      // some): continue after it so those rows are not scanned again. One request is in
      // flight at a time, so the position never moves back.
      this.after = data.last;
    }
    if (this.applied.size > 5000) { this.applied = new Set(); }
  };

  PollguardLive.prototype.apply = function (ev) {
    if (ev.center && ev.status) { this.updateBadges(ev); }
    document.dispatchEvent(new CustomEvent("pollguard:event", { detail: ev }));
  };

  PollguardLive.prototype.updateBadges = function (ev) {
    var info = this.statuses[ev.status] || { label: ev.status, color: ev.color || "#333333" };
    var nodes = document.querySelectorAll('[data-live-center="' + CSS.escape(ev.center) + '"]');
    nodes.forEach(function (node) {
      var field = node.dataset.liveField;
      if (field === "status") {
        node.textContent = info.label;
        node.dataset.color = info.color;
        node.style.setProperty("--pg-color", info.color);
        node.dataset.status = ev.status;
        node.classList.remove("pg-flash");
        void node.offsetWidth;  // restart the highlight animation
        node.classList.add("pg-flash");
      }
    });
  };

  PollguardLive.prototype.start = function () {
    this.stopped = false;
    this.poll();
  };

  PollguardLive.prototype.stop = function () {
    this.stopped = true;
    clearTimeout(this.timer);
  };

  window.PollguardLive = PollguardLive;

  document.addEventListener("DOMContentLoaded", function () {
    var config = readJson("pollguard-live");
    if (!config || !config.url) { return; }
    var live = new PollguardLive({
      url: config.url,
      after: config.after,
      statuses: readJson("pollguard-statuses") || {},
      stateEl: document.getElementById("pg-live-state")
    });
    window.pollguardLive = live;
    live.start();
  });
})();
