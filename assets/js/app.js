// Kitshelf's small site-wide script. Pages work without it; it only adds
// conveniences. Loaded with defer; never inline (the CSP forbids it).
"use strict";

// Move focus to the error summary or a flash message so screen-reader and
// keyboard users learn at once what happened after a form post.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector("[data-focus-on-load]");
  if (summary) summary.focus();

  // Buttons that ask before a consequential action: data-confirm="Retire KS-0042?"
  document.querySelectorAll("form[data-confirm]").forEach((form) => {
    form.addEventListener("submit", (e) => {
      if (!window.confirm(form.dataset.confirm)) e.preventDefault();
    });
  });
});
