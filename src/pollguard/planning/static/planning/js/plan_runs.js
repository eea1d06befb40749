/* Plan runs on the plan list: progress from the live feed, the end from the job's row.
 *
 * The page never asks the broker anything. Job events of the live feed (kind "job",
 * job_kind "plan_run") carry the state, work done and total, and the message in both
 * languages; they update the run's line at once. When a run ends (or a run started by
 * someone else appears) the line is read again from the server (planning:run_status),
 * which renders the link to the new version or the package's messages in the user's
 * language, from the job's row.
 * Test hooks: data-state on each line, window.pollguardPlanRuns.updates (events applied).
 */
(function () {
  "use strict";

  var FINAL = { succeeded: true, failed: true, cancelled: true };
  var api = { updates: 0 };
  window.pollguardPlanRuns = api;

  function list() { return document.getElementById("pg-runs"); }

  function labels() {
    var el = document.getElementById("pollguard-run-labels");
    try { return el ? JSON.parse(el.textContent) : {}; } catch (e) { return {}; }
  }

  function statusUrl(job) {
    var ul = list();
    return ul.dataset.statusUrl.replace(/\/0\/$/, "/" + encodeURIComponent(job) + "/");
  }

  function refresh(job, line) {
    fetch(statusUrl(job), { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { if (!r.ok) { throw new Error("HTTP " + r.status); } return r.text(); })
      .then(function (html) {
        var box = document.createElement("ul");
        box.innerHTML = html.trim();
        var fresh = box.firstElementChild;
        if (!fresh) { return; }
        var current = line || list().querySelector('[data-job="' + CSS.escape(String(job)) + '"]');
        if (current) { current.replaceWith(fresh); } else { list().prepend(fresh); }
        var card = document.getElementById("pg-runs-card");
        if (card) { card.hidden = false; }
        if (window.pollguardPaint) { window.pollguardPaint(fresh); }
      })
      .catch(function () { /* the next event of this job tries again */ });
  }

  function apply(ev) {
    var ul = list();
    if (!ul) { return; }
    var line = ul.querySelector('[data-job="' + CSS.escape(String(ev.job)) + '"]');
    if (!line) {
      refresh(ev.job, null);
      return;
    }
    var arabic = (document.documentElement.lang || "").indexOf("ar") === 0;
    var message = arabic ? (ev.message_ar || ev.message) : ev.message;
    var total = Number(ev.work_total) || Number(line.querySelector("progress").max) || 1;
    var done = Math.min(Number(ev.work_done) || 0, total);
    var bar = line.querySelector("progress");
    bar.max = total;
    bar.value = done;
    bar.textContent = done + " / " + total;
    line.querySelector("[data-testid=run-done]").textContent = String(done);
    line.querySelector("[data-testid=run-total]").textContent = String(total);
    if (message) { line.querySelector("[data-testid=run-message]").textContent = message; }
    var names = labels();
    line.querySelector("[data-testid=run-state]").textContent = names[ev.state] || ev.state;
    line.dataset.state = ev.state;
    api.updates += 1;
    if (FINAL[ev.state]) { refresh(ev.job, line); }
  }

  document.addEventListener("pollguard:event", function (e) {
    var ev = e.detail || {};
    if (ev.kind === "job" && ev.job_kind === "plan_run" && ev.job) { apply(ev); }
  });
})();
