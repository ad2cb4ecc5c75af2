/* Bridgework's own script: small, optional, loaded with `defer` (no inline script: strict CSP).
 * Every page works without it.
 *
 * After a form is sent the page that answers says what happened: a message ("Saved …") or the
 * form again with its errors. Move the keyboard focus there, so a keyboard or screen reader
 * user hears the outcome first and carries on from it, rather than from the top of the page.
 */
(function () {
  "use strict";

  function focusOutcome(root) {
    // The form's own errors first, then the page's messages; without either, the first field
    // that was refused (its label, its error and the value typed are all there to fix it).
    var target = root.querySelector("main .form-errors, main .messages");
    if (!target) {
      var field = root.querySelector("main .field.has-error");
      target = field && field.querySelector("input:not([type=hidden]), select, textarea");
    }
    if (!target) {
      return;
    }
    if (!target.matches("input, select, textarea") && !target.hasAttribute("tabindex")) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus();
  }

  // A picker of several places: a ticked match joins the chosen places, so that the next
  // search (which replaces the matches) does not drop it.
  function keepTickedMatch(event) {
    var box = event.target;
    if (!box.checked || !box.matches(".place-picker[data-multiple] .place-picker-results input[type=checkbox]")) {
      return;
    }
    var chosen = box.closest(".place-picker").querySelector(".place-picker-chosen");
    var label = box.closest("label");
    var same = Array.prototype.find.call(chosen.querySelectorAll("input[type=checkbox]"), function (other) {
      return other.value === box.value;
    });
    if (same) {
      same.checked = true;
      label.remove();
      same.focus();
      return;
    }
    var none = chosen.querySelector("p.muted");
    if (none) {
      none.remove();
    }
    chosen.appendChild(label);
    box.focus();
  }
  document.addEventListener("change", keepTickedMatch);

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { focusOutcome(document); });
  } else {
    focusOutcome(document);
  }
})();
