/* Live tallies of the special-vote page: each "specialvote.tally" event of the live feed
 * says which figure of a center moved (field) and by how much (step); the cell marked
 * data-tally-center / data-tally-field adds it. The feed delivers each event once, starting
 * from the position read with the page, so the figures stay exact. */
(function () {
  "use strict";
  document.addEventListener("pollguard:event", function (e) {
    var ev = e.detail || {};
    if (ev.kind !== "specialvote.tally" || !ev.center || typeof ev.step !== "number") { return; }
    var sel = '[data-tally-center="' + CSS.escape(ev.center) + '"][data-tally-field="' +
      CSS.escape(String(ev.field)) + '"]';
    document.querySelectorAll(sel).forEach(function (cell) {
      var now = parseInt(cell.textContent, 10) || 0;
      cell.textContent = String(now + ev.step);
    });
  });
})();
