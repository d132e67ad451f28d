/* Error summaries (« Vérifiez vos réponses ») of the public forms: progressive enhancement.
   Without this file the summary is still at the top of the form, its links still lead to the
   fields. With it, when a form comes back with mistakes, focus moves to the summary (a screen
   reader reads it first, the keyboard starts from it), and each link of the summary moves focus
   to its field while showing the field's label or its group's legend above it. */
(function () {
  "use strict";

  function labelOf(field) {
    var group = field.closest("fieldset");
    if (group && (field.type === "radio" || field.type === "checkbox") && group.querySelector("legend")) {
      var own = document.querySelector('label[for="' + CSS.escape(field.id) + '"]');
      // A lone checkbox (« J'ai lu… ») has its own label; a group of radios, its legend.
      if (field.type === "radio" || !own) {
        return group.querySelector("legend");
      }
    }
    return document.querySelector('label[for="' + CSS.escape(field.id) + '"]') || field;
  }

  function start() {
    var summary = document.querySelector("[data-error-summary]");
    if (!summary) {
      return;
    }
    summary.setAttribute("tabindex", "-1");
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) {
        return;
      }
      var field = document.getElementById(decodeURIComponent(link.hash.slice(1)));
      if (!field) {
        return;
      }
      event.preventDefault();
      labelOf(field).scrollIntoView({ block: "start" });
      field.focus({ preventScroll: true });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
