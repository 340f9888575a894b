// The export page's "Select all" box, bound here rather than by an inline onchange: the
// Content-Security-Policy allows no inline script. onSelectToggleChange is
// django-import-export's, from export_selectable_fields.js, loaded before this file.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const toggle of document.querySelectorAll("input.select-toggle")) {
    toggle.addEventListener("change", onSelectToggleChange);
  }
});
