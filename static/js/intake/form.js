// Intake form: show only the height and weight boxes for the units the patient chose.
// Without JavaScript both sets stay visible and either can be filled in.
(function () {
  "use strict";
  function update() {
    var chosen = document.querySelector("input[name=\"units\"]:checked");
    if (!chosen) { return; }
    document.querySelectorAll(".units-us").forEach(function (el) { el.hidden = chosen.value !== "us"; });
    document.querySelectorAll(".units-metric").forEach(function (el) { el.hidden = chosen.value !== "metric"; });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("input[name=\"units\"]").forEach(function (radio) {
      radio.addEventListener("change", update);
    });
    update();
  });
})();
