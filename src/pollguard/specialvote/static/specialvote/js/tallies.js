/* Live tallies of the special-vote page: each "specialvote.tally" event of the live feed
 * carries a center's counts; the cells marked data-tally-center / data-tally-field show them. */
(function () {
  "use strict";
  document.addEventListener("pollguard:event", function (e) {
    var ev = e.detail || {};
    if (ev.kind !== "specialvote.tally" || !ev.center) { return; }
    var cells = document.querySelectorAll('[data-tally-center="' + CSS.escape(ev.center) + '"]');
    cells.forEach(function (cell) {
      var value = ev[cell.dataset.tallyField];
      if (typeof value === "number") { cell.textContent = String(value); }
    });
  });
})();
