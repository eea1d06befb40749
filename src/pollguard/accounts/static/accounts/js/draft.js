/* Fills a form back in with the change a user sent after their session had ended.
 *
 * The server (accounts/sessions.py) kept the submitted fields and hands them to the page
 * the form was on, as JSON in #pollguard-draft. This fills the matching form (same action)
 * and shows the notice; it never submits: the user checks the change and sends it again.
 */
(function () {
  "use strict";
  var node = document.getElementById("pollguard-draft");
  if (!node) { return; }
  var draft = JSON.parse(node.textContent);
  var form = null;
  Array.prototype.forEach.call(document.forms, function (candidate) {
    var action = new URL(candidate.getAttribute("action") || "", window.location.href).pathname;
    if (!form && action === draft.action) { form = candidate; }
  });
  if (!form) { return; }
  Object.keys(draft.data).forEach(function (name) {
    var values = draft.data[name];
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name !== name || el.type === "file" || el.type === "password") { return; }
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = values.indexOf(el.value) !== -1;
      } else if (el.tagName === "SELECT" && el.multiple) {
        Array.prototype.forEach.call(el.options, function (option) {
          option.selected = values.indexOf(option.value) !== -1;
        });
      } else if (values.length) {
        el.value = values[0];
      }
    });
  });
  var notice = document.getElementById("pollguard-draft-notice");
  if (notice) {
    notice.hidden = false;
    form.insertBefore(notice, form.firstChild);
  }
  form.setAttribute("data-draft-restored", "true");
})();
