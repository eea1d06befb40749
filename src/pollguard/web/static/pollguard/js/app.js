/* pollguard page helpers that need no framework.
 *
 * The Content-Security-Policy forbids inline style attributes, so colors that come from data
 * (sector and status colors) travel as data-color and are applied here through the CSSOM,
 * which the policy allows. Runs again after every HTMX swap.
 *
 * Also: the phone menu button (the top bar collapses below 600 px), print buttons, the
 * top bar's election selector (it submits when changed), the lists' sort field and the
 * navigation's group menus.
 * base.html loads this file on every page; a page that loads it again gets no second copy.
 */
(function () {
  "use strict";

  if (window.pollguardPaint) { return; }

  function paint(root) {
    (root || document).querySelectorAll("[data-color]").forEach(function (el) {
      el.style.setProperty("--pg-color", el.dataset.color);
    });
  }

  function setMenu(open) {
    var button = document.querySelector(".pg-menu-button");
    if (!button) { return; }
    button.setAttribute("aria-expanded", open ? "true" : "false");
    document.documentElement.classList.toggle("pg-menu-open", open);
  }

  document.documentElement.classList.add("pg-js");
  document.addEventListener("DOMContentLoaded", function () { paint(document); });
  function followSort(root) {
    // A header click reloads only the results: the filter form's sort field follows, so the
    // next filter change keeps the sort the user chose.
    var state = (root || document).querySelector("[data-current-sort]");
    var select = document.getElementById("pg-sort");
    if (state && select && select.value !== state.dataset.currentSort) {
      select.value = state.dataset.currentSort;
    }
  }

  document.addEventListener("htmx:afterSwap", function (e) { paint(e.target); followSort(e.target); });
  document.addEventListener("click", function (e) {
    var target = e.target instanceof Element ? e.target : null;
    if (!target) { return; }
    if (target.closest(".pg-menu-button")) {
      setMenu(!document.documentElement.classList.contains("pg-menu-open"));
    } else if (target.closest("[data-print]")) {
      window.print();
    }
  });
  document.addEventListener("change", function (e) {
    // The top bar's election selector: choosing is the action, no extra button press.
    var target = e.target instanceof Element ? e.target : null;
    if (target && target.matches("select[data-autosubmit]") && target.form) {
      target.form.submit();
    }
  });
  function closeGroups(except) {
    // The navigation's groups are menus: one open at a time, closed by a click elsewhere.
    document.querySelectorAll(".pg-nav-group[open]").forEach(function (group) {
      if (group !== except) { group.removeAttribute("open"); }
    });
  }
  document.addEventListener("toggle", function (e) {
    var group = e.target instanceof Element ? e.target : null;
    if (group && group.matches(".pg-nav-group") && group.hasAttribute("open")) { closeGroups(group); }
  }, true);
  document.addEventListener("click", function (e) {
    // Before the browser toggles the group clicked: the others close at once.
    var target = e.target instanceof Element ? e.target : null;
    if (target) { closeGroups(target.closest(".pg-nav-group")); }
  });
  document.addEventListener("keydown", function (e) {
    if (e.key !== "Escape") { return; }
    setMenu(false);
    var open = document.querySelector(".pg-nav-group[open]");
    if (open) {
      closeGroups(null);
      open.querySelector("summary").focus();
    }
  });
  window.pollguardPaint = paint;
})();
