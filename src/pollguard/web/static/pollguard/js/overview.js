/* Election overview: live events refresh the exceptions, the latest changes and the figures.
 *
 * Everything is re-read from the server (one small fragment) rather than adjusted in the
 * browser, so the counts can never drift from the database however many events were missed,
 * and the feed (center name, from -> to, who, when in the election's time zone, remark) is
 * rendered by the same template as on first load. Refreshes are coalesced: a burst of events
 * costs one request.
 */
(function () {
  "use strict";

  var pending = null;

  function refreshFigures() {
    var box = document.getElementById("pg-overview-figures");
    if (!box) { return; }
    fetch(box.dataset.url, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.text(); })
      .then(function (html) {
        box.innerHTML = html;
        box.dataset.refreshed = String(Number(box.dataset.refreshed || 0) + 1);
        if (window.pollguardPaint) { window.pollguardPaint(box); }
      })
      .catch(function () { /* the next event retries */ });
  }

  document.addEventListener("pollguard:event", function () {
    clearTimeout(pending);
    pending = setTimeout(refreshFigures, 150);
  });
})();
