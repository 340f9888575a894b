// The upload page's button: disabled, and saying "Importing…", while the files are sent and
// imported, so that nobody sends them twice. A file rather than an inline script: the
// Content-Security-Policy allows no inline script.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("upload-form");
  const button = document.getElementById("upload-submit");
  const busy = document.getElementById("upload-busy");
  if (!form || !button) {
    return;
  }
  const idle = button.value;
  form.addEventListener("submit", () => {
    // After the browser has taken the form's data: a disabled button still submits it.
    window.setTimeout(() => {
      button.disabled = true;
      button.value = button.dataset.busyValue || "Importing…";
      form.setAttribute("aria-busy", "true");
      if (busy) {
        busy.hidden = false;
      }
    }, 0);
  });
  // Back to the page from the browser's history: ready again.
  window.addEventListener("pageshow", () => {
    button.disabled = false;
    button.value = idle;
    form.removeAttribute("aria-busy");
    if (busy) {
      busy.hidden = true;
    }
  });
});
