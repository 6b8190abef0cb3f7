// Copy the intake link to the clipboard (staff page). No inline scripts: the CSP forbids them.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy-target]");
    if (!button) { return; }
    var input = document.getElementById(button.getAttribute("data-copy-target"));
    var status = document.getElementById("copy-status");
    input.select();
    var done = function () { if (status) { status.textContent = "Link copied."; } };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () {
        if (status) { status.textContent = "Select the link and copy it."; }
      });
    } else if (document.execCommand("copy")) {
      done();
    }
  });
})();
