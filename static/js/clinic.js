// Small behaviours for every page. No inline scripts: the CSP forbids them.
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    // After a form with errors is shown, move focus to the error summary so that
    // keyboard and screen-reader users hear what went wrong.
    var summary = document.getElementById("form-errors");
    if (summary) {
      summary.focus();
      // Each link to a question moves the focus into its box, not only the view to it.
      summary.addEventListener("click", function (event) {
        var link = event.target.closest("a[href^='#']");
        var target = link && document.getElementById(link.getAttribute("href").slice(1));
        if (!target) {
          return;
        }
        var field = target.matches("input, select, textarea")
          ? target
          : target.querySelector("input:not([type=hidden]), select, textarea");
        if (field) {
          event.preventDefault();
          field.focus();
        }
      });
    }

    // A table wider than the screen scrolls inside its box; keyboard users must
    // be able to reach that box to scroll it.
    document.querySelectorAll(".table-responsive").forEach(function (box) {
      if (box.scrollWidth > box.clientWidth && !box.hasAttribute("tabindex")) {
        var caption = box.querySelector("caption");
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", caption ? caption.textContent.trim() : "Table, scrolls sideways");
      }
    });
  });
})();
