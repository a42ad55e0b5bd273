// Progressive enhancement for the outcome form: show the questions for a conversation only when
// the chosen outcome means the resident was spoken to. Without JavaScript everything stays visible.
(function () {
  "use strict";
  function update(select) {
    var option = select.options[select.selectedIndex];
    var spoke = option && option.dataset.rightParty === "1";
    document.querySelectorAll("[data-show-when='right-party']").forEach(function (group) {
      group.hidden = option && option.value !== "" && !spoke;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    var select = document.querySelector("[data-testid='outcome-select']");
    if (!select) { return; }
    select.addEventListener("change", function () { update(select); });
    update(select);
    document.getElementById("outcome-form").addEventListener("submit", function (event) {
      var button = event.submitter;
      if (event.target.dataset.sent === "1") { event.preventDefault(); return; }
      event.target.dataset.sent = "1";  // one click, one save
      if (button) { button.setAttribute("aria-busy", "true"); }
    });
  });
})();
