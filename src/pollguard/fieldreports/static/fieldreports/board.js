/* Station board: refresh the board when a check-in, an alarm or a station status arrives
 * on the live feed (at most once a second). */
(function () {
  "use strict";
  var pending = null;
  document.addEventListener("pollguard:event", function (e) {
    var kind = e.detail && e.detail.kind;
    if (kind !== "checkin" && kind !== "checkin.alarm" && kind !== "station.status") { return; }
    if (pending) { return; }
    pending = setTimeout(function () {
      pending = null;
      document.body.dispatchEvent(new CustomEvent("pollguard:board"));
    }, 1000);
  });
})();
