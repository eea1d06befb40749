/* pollguard page helpers that need no framework.
 *
 * The Content-Security-Policy forbids inline style attributes, so colors that come from data
 * (sector and status colors) travel as data-color and are applied here through the CSSOM,
 * which the policy allows. Runs again after every HTMX swap.
 */
(function () {
  "use strict";

  function paint(root) {
    (root || document).querySelectorAll("[data-color]").forEach(function (el) {
      el.style.setProperty("--pg-color", el.dataset.color);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { paint(document); });
  document.addEventListener("htmx:afterSwap", function (e) { paint(e.target); });
  window.pollguardPaint = paint;
})();
