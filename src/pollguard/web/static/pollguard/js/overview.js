/* Election overview: live events refresh the figures and fill the "latest changes" list.
 *
 * The figures are re-read from the server (one small fragment) rather than adjusted in the
 * browser, so they can never drift from the database however many events were missed.
 * Refreshes are coalesced: a burst of events costs one request.
 */
(function () {
  "use strict";

  var pending = null;
  var FEED_LIMIT = 50;

  function refreshFigures() {
    var box = document.getElementById("pg-overview-figures");
    if (!box) { return; }
    fetch(box.dataset.url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.text(); })
      .then(function (html) {
        box.innerHTML = html;
        if (window.pollguardPaint) { window.pollguardPaint(box); }
      })
      .catch(function () { /* the next event retries */ });
  }

  function addToFeed(ev) {
    var feed = document.getElementById("pg-feed");
    if (!feed || !ev.center) { return; }
    var placeholder = feed.querySelector("[data-placeholder]");
    if (placeholder) { placeholder.remove(); }
    var statuses = window.pollguardLive ? window.pollguardLive.statuses : {};
    var info = statuses[ev.status] || { label: ev.status, color: ev.color || "#333333" };
    var li = document.createElement("li");
    li.dataset.event = ev.id;
    var time = document.createElement("time");
    var when = ev.time ? new Date(ev.time) : new Date();
    time.dateTime = when.toISOString();
    time.textContent = when.toLocaleTimeString("en-GB", { timeZone: document.body.dataset.timezone || undefined, hour: "2-digit", minute: "2-digit", second: "2-digit" });
    var link = document.createElement("a");
    link.className = "pg-code";
    link.href = feed.dataset.centerUrl.replace("CODE", encodeURIComponent(ev.center));
    link.textContent = ev.center;
    var badge = document.createElement("span");
    badge.className = "pg-badge";
    badge.style.setProperty("--pg-color", info.color);
    badge.textContent = info.label;
    li.append(time, " ", link, " ", badge);
    feed.prepend(li);
    while (feed.children.length > FEED_LIMIT) { feed.lastElementChild.remove(); }
  }

  document.addEventListener("pollguard:event", function (e) {
    var ev = e.detail;
    if (ev.kind === "center.status") { addToFeed(ev); }
    clearTimeout(pending);
    pending = setTimeout(refreshFigures, 150);
  });
})();
