/* pollguard operations pages: the queue's keyboard, deadline countdowns, the "new
 * incidents" notice, and the report form's "use my position". The escalation banner is on
 * every page (escalations.js).
 */
(function () {
  "use strict";

  document.addEventListener("pollguard:event", function (e) {
    var ev = e.detail || {};
    if (ev.kind === "incident") {
      var table = document.querySelector("[data-testid=incident-queue]");
      var notice = document.getElementById("pg-ops-new");
      if (table && notice && !table.querySelector('[data-incident="' + ev.incident + '"]')) {
        notice.hidden = false;
      }
    }
  });

  /* Countdowns: "mm:ss" left, or "Overdue" once past. */
  function tick() {
    var overdue = (document.getElementById("pg-ops-labels") || { dataset: {} }).dataset.labelOverdue || "!";
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var left = Math.round((Date.parse(el.dataset.due) - Date.now()) / 1000);
      if (left <= 0) { el.textContent = overdue; el.dataset.state = "overdue"; return; }
      var m = Math.floor(left / 60), s = left % 60;
      el.textContent = m + ":" + (s < 10 ? "0" : "") + s;
    });
  }
  if (document.querySelector("[data-due]")) { tick(); window.setInterval(tick, 1000); }

  /* The queue's keyboard: j/k or arrows move, Enter opens, n reports. */
  var list = document.querySelector("[data-keyboard-list]");
  if (list) {
    var rows = function () { return Array.prototype.slice.call(list.querySelectorAll("tbody tr[data-incident]")); };
    var current = -1;
    var select = function (i) {
      var all = rows();
      if (!all.length) { return; }
      current = Math.max(0, Math.min(all.length - 1, i));
      all.forEach(function (r, n) { r.classList.toggle("pg-selected", n === current); r.setAttribute("aria-selected", n === current ? "true" : "false"); });
      all[current].focus();
    };
    document.addEventListener("keydown", function (e) {
      var tag = (e.target.tagName || "").toLowerCase();
      if (tag === "input" || tag === "select" || tag === "textarea" || e.ctrlKey || e.metaKey || e.altKey) { return; }
      if (e.key === "j" || e.key === "ArrowDown") { select(current + 1); e.preventDefault(); }
      else if (e.key === "k" || e.key === "ArrowUp") { select(current - 1); e.preventDefault(); }
      else if (e.key === "Enter" && current >= 0) {
        var link = rows()[current].querySelector("a");
        if (link) { window.location.href = link.href; e.preventDefault(); }
      } else if (e.key === "n") {
        var report = document.querySelector("[data-testid=report-incident]");
        if (report) { window.location.href = report.href; e.preventDefault(); }
      }
    });
  }

  /* Report form: fill lat/lon from the device. */
  var locate = document.querySelector("[data-locate]");
  if (locate && navigator.geolocation) {
    locate.addEventListener("click", function () {
      navigator.geolocation.getCurrentPosition(function (pos) {
        document.getElementById("id_lat").value = pos.coords.latitude.toFixed(6);
        document.getElementById("id_lon").value = pos.coords.longitude.toFixed(6);
        document.getElementById("id_center").value = "";
      });
    });
  }
})();
