/* Accessible names for the admin's autocomplete fields (Django's select2 widget).

   select2 hides the real <select> and shows its own elements: a combobox named by the text of the
   current choice (nothing when the field is empty) and, for several choices, a search box without
   any label. axe reports them (aria-input-field-name, label) and a screen reader reads no name.
   Each of them gets the field's own <label> as its name, once select2 has started (Django starts
   it when the page is ready, and in each new row of an inline).

   select2 also puts its « clear all » cross (a mouse-only control: the keyboard clears with the
   Backspace key) straight inside the list of choices, where only list items belong (axe's « list »);
   it is hidden from assistive technologies, each time select2 draws it again.

   The « filter » boxes of the two-list selectors (a user's groups and permissions) get their help
   text as their name: Django's SelectFilter2.js puts it in an aria-label on a plain <span>, where
   ARIA does not allow it (axe's « aria-prohibited-attr ») and where it names nothing. As an
   image, the icon names the label it sits in. */
"use strict";
(function () {
  function labelOf(select) {
    var label = document.querySelector('label[for="' + CSS.escape(select.id) + '"]');
    if (label && !label.id) {
      label.id = select.id + "_label";
    }
    return label;
  }

  function hideClearCross(container) {
    container.querySelectorAll(".select2-selection__clear").forEach(function (cross) {
      cross.setAttribute("aria-hidden", "true");
    });
  }

  function name(root) {
    root.querySelectorAll("select.admin-autocomplete").forEach(function (select) {
      var container = select.nextElementSibling;
      var label = labelOf(select);
      if (!label || !container || !container.classList.contains("select2")) {
        return;
      }
      var rendered = container.querySelector(".select2-selection__rendered");
      var combobox = container.querySelector('.select2-selection[role="combobox"]');
      if (combobox) {
        // The field's label, then the current choice (select2's own name for it).
        var ids = [label.id];
        if (rendered && rendered.id && combobox.classList.contains("select2-selection--single")) {
          ids.push(rendered.id);
          rendered.setAttribute("aria-labelledby", label.id + " " + rendered.id);
        }
        combobox.setAttribute("aria-labelledby", ids.join(" "));
      }
      hideClearCross(container);
      new MutationObserver(function () {
        hideClearCross(container);
      }).observe(container, { childList: true, subtree: true });
      var search = container.querySelector(".select2-search__field");
      if (search) {
        search.setAttribute("aria-labelledby", label.id);
      }
    });
  }

  // After SelectFilter2.js, which builds the selectors when the page has loaded.
  window.addEventListener("load", function () {
    document.querySelectorAll(".selector-filter .help-tooltip[aria-label]").forEach(function (icon) {
      icon.setAttribute("role", "img");
    });
  });

  if (window.django && window.django.jQuery) {
    // After Django's own ready handler (autocomplete.js), which starts select2.
    window.django.jQuery(function () {
      name(document);
    });
    document.addEventListener("formset:added", function (event) {
      name(event.target);
    });
  }
})();
