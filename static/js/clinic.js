// Small behaviours for every page. No inline scripts: the CSP forbids them.
(function () {
  "use strict";

  // After a form with errors is shown, move focus to the error summary so that
  // keyboard and screen-reader users hear what went wrong.
  document.addEventListener("DOMContentLoaded", function () {
    var summary = document.getElementById("form-errors");
    if (summary) {
      summary.focus();
    }
  });
})();
