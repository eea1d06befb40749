/* pollguard operations pages: the queue's keyboard, deadline countdowns, the escalation
 * banner (with a sound the user can turn off, remembered in localStorage), the "new
 * incidents" notice, and the report form's "use my position".
 *
 * Escalations arrive on the live feed (pollguard:event, kind "incident.escalated", the
 * payload's fields flat on the event); the
 * banner shows when the event's `roles` include the role of the signed-in user
 * (body[data-role]): sector commanders and the room first, then the room, then the chair.
 */
(function () {
  "use strict";

  var SOUND_KEY = "pollguard.operations.sound";

  function soundOn() { return window.localStorage.getItem(SOUND_KEY) !== "off"; }

  function beep() {
    if (!soundOn()) { return; }
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) { return; }
      var ctx = new Ctx();
      var osc = ctx.createOscillator();
      osc.frequency.value = 880;
      osc.connect(ctx.destination);
      osc.start();
      osc.stop(ctx.currentTime + 0.4);
    } catch (e) { /* no audio: the banner is enough */ }
  }

  function banner(ev) {
    var box = document.getElementById("pg-ops-alert");
    if (!box) { return; }
    var p = ev;
    box.textContent = "";
    var strong = document.createElement("strong");
    strong.textContent = box.dataset.labelEscalated + " ";
    box.appendChild(strong);
    var link = document.createElement("a");
    link.href = "/operations/" + encodeURIComponent(p.incident) + "/";
    link.textContent = p.incident;
    box.appendChild(link);
    var sound = document.createElement("button");
    sound.type = "button";
    sound.dataset.testid = "sound-toggle";
    sound.setAttribute("data-testid", "sound-toggle");
    function label() { sound.textContent = soundOn() ? box.dataset.labelSoundOff : box.dataset.labelSoundOn; }
    label();
    sound.addEventListener("click", function () {
      window.localStorage.setItem(SOUND_KEY, soundOn() ? "off" : "on");
      label();
    });
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = box.dataset.labelDismiss;
    close.addEventListener("click", function () { box.hidden = true; });
    box.appendChild(document.createTextNode(" "));
    box.appendChild(sound);
    box.appendChild(close);
    box.dataset.incident = p.incident;
    box.hidden = false;
    beep();
  }

  document.addEventListener("pollguard:event", function (e) {
    var ev = e.detail || {};
    var role = document.body.dataset.role || "";
    if (ev.kind === "incident.escalated" && (ev.roles || []).indexOf(role) >= 0) {
      banner(ev);
    }
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
    var overdue = (document.getElementById("pg-ops-alert") || { dataset: {} }).dataset.labelOverdue || "!";
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
