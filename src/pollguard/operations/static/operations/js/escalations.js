/* pollguard escalation banner, on every page of those who must act (base.html renders it
 * from the open escalations; operations_ui.escalation_banner).
 *
 * The banner polls its own fragment (htmx, every 30 s) and refreshes at once when the live
 * feed, where the page runs it, brings an escalation or an incident change. A new
 * escalation (incident and level not heard before) beeps unless the user turned the sound
 * off; the choice and what was heard are kept per user in localStorage. Browsers let a
 * page play sound only after the user interacted with it (autoplay rules): until then the
 * beep waits and the banner says a click lets it play; the first click or key plays it.
 * "Acknowledge" hides that escalation in this browser until it rises a level; acting on the
 * incident (verify, dispatch) clears it for everyone.
 */
(function () {
  "use strict";

  var audio = null;
  var pending = false;

  function box() { return document.getElementById("pg-escalations"); }
  function store(key) {
    try { return JSON.parse(window.localStorage.getItem(key) || "[]"); } catch (e) { return []; }
  }
  function keep(key, list) { window.localStorage.setItem(key, JSON.stringify(list.slice(-200))); }
  function soundOn(b) { return window.localStorage.getItem(b.dataset.soundKey) !== "off"; }

  function play() {
    try {
      var osc = audio.createOscillator();
      var gain = audio.createGain();
      gain.gain.value = 0.2;
      osc.frequency.value = 880;
      osc.connect(gain);
      gain.connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + 0.4);
    } catch (e) { /* no audio: the banner is enough */ }
  }

  /* Only ever called from a user gesture or once one has unlocked audio. */
  function unlock() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) { return; }
    if (!audio) { audio = new Ctx(); }
    if (audio.state === "suspended") { audio.resume(); }
    var b = box();
    if (b) { var hint = b.querySelector("[data-sound-hint]"); if (hint) { hint.hidden = true; } }
    if (pending) { pending = false; play(); }
  }
  document.addEventListener("pointerdown", unlock, { once: false, passive: true });
  document.addEventListener("keydown", unlock, { passive: true });

  function beep(b) {
    if (!soundOn(b)) { return; }
    if (audio && audio.state === "running") { play(); return; }
    pending = true;
    var hint = b.querySelector("[data-sound-hint]");
    if (hint) { hint.textContent = b.dataset.labelSoundBlocked; hint.hidden = false; }
  }

  function render() {
    var b = box();
    if (!b) { return; }
    var acked = store(b.dataset.ackKey);
    var heard = store(b.dataset.ackKey + ".heard");
    var fresh = false;
    var shown = 0;
    b.querySelectorAll("[data-escalation]").forEach(function (li) {
      var key = li.dataset.escalation;
      li.hidden = acked.indexOf(key) >= 0;
      if (!li.hidden) { shown += 1; }
      if (!li.hidden && heard.indexOf(key) < 0) { fresh = true; heard.push(key); }
    });
    keep(b.dataset.ackKey + ".heard", heard);
    b.hidden = shown === 0;
    b.dataset.shown = String(shown);
    var toggle = b.querySelector("[data-sound-toggle]");
    if (toggle) {
      toggle.textContent = soundOn(b) ? b.dataset.labelSoundOff : b.dataset.labelSoundOn;
      toggle.setAttribute("aria-pressed", soundOn(b) ? "false" : "true");
    }
    if (fresh) { beep(b); }
  }

  document.addEventListener("click", function (e) {
    var b = box();
    if (!b || !b.contains(e.target)) { return; }
    if (e.target.closest("[data-sound-toggle]")) {
      window.localStorage.setItem(b.dataset.soundKey, soundOn(b) ? "off" : "on");
      render();
    }
    var ack = e.target.closest("[data-ack]");
    if (ack) {
      var acked = store(b.dataset.ackKey);
      acked.push(ack.closest("[data-escalation]").dataset.escalation);
      keep(b.dataset.ackKey, acked);
      render();
    }
  });

  /* A poll answered by anything but the banner (the login page after an idle sign-out, an
   * error page) must not replace it. */
  document.addEventListener("htmx:beforeSwap", function (e) {
    if (e.detail.target && e.detail.target.id === "pg-escalations") {
      var text = e.detail.xhr.responseText || "";
      if (!e.detail.xhr.status || e.detail.xhr.status !== 200 || text.indexOf('id="pg-escalations"') < 0) {
        e.detail.shouldSwap = false;
      }
    }
  });
  document.addEventListener("htmx:afterSettle", render);
  /* A burst of incident events (a busy morning) makes one refresh, not one each. */
  var refreshTimer = null;
  document.addEventListener("pollguard:event", function (e) {
    var kind = (e.detail || {}).kind || "";
    if ((kind === "incident.escalated" || kind === "incident") && !refreshTimer) {
      refreshTimer = window.setTimeout(function () {
        refreshTimer = null;
        document.body.dispatchEvent(new CustomEvent("pollguard:escalations"));
      }, 1000);
    }
  });
  render();
  window.pollguardEscalations = { render: render, pendingSound: function () { return pending; } };
})();
