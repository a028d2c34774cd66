// The question form: shows only the settings of the chosen type (options, scale labels, bounds).
(function () {
  "use strict";
  function sync(form) {
    var kind = form.querySelector("select[name$=kind]");
    if (!kind) return;
    form.querySelectorAll("[data-for-kinds]").forEach(function (row) {
      var kinds = row.getAttribute("data-for-kinds");
      row.hidden = kinds !== "" && kinds.split(" ").indexOf(kind.value) === -1;
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-question-form]").forEach(function (form) {
      sync(form);
      form.addEventListener("change", function (event) {
        if (event.target.name && /kind$/.test(event.target.name)) sync(form);
      });
    });
  });
})();
