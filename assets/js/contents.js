// The kit type form's contents editor: "Add another contents line" adds an
// empty row in the page instead of asking the server for the form again.
// Without this script the button still works, by a round trip.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const button = document.querySelector("button[data-add-line]");
  const body = document.querySelector("table[data-contents] tbody");
  const pattern = document.getElementById("content-row-template");
  if (!button || !body || !pattern) return;

  button.addEventListener("click", (e) => {
    e.preventDefault();
    // Rows are numbered contents-0, contents-1, … with no gaps, so the next
    // index is the number of rows.
    const index = body.rows.length;
    const html = pattern.innerHTML.replaceAll("__i__", String(index)).replaceAll("__n__", String(index + 1));
    body.insertAdjacentHTML("beforeend", html);
    const name = document.getElementById("contents-" + index + "-name");
    if (name) name.focus();
  });
});
