// Step 7: the evaluative question's live preview, « Dans quelle mesure … ? », assembled from its four fields.
(function () {
  "use strict";
  function preview() {
    const target = document.getElementById("question-preview");
    const fields = Array.from(document.querySelectorAll("[data-question]"))
      .sort((a, b) => Number(a.dataset.question) - Number(b.dataset.question));
    if (!target || fields.length !== 4) return;
    const parts = fields.map((field) => field.value.trim());
    if (parts.every((part) => part === "")) {
      target.textContent = target.dataset.empty;
      target.classList.add("empty-preview");
      return;
    }
    // Missing parts show their placeholder, so the shape of the question stays readable while typing.
    const text = fields.map((field, i) => parts[i] || "[" + field.placeholder + "]").join(" ");
    target.textContent = "Dans quelle mesure " + text + "\u00a0?";
    target.classList.toggle("empty-preview", parts.some((part) => part === ""));
  }
  document.addEventListener("input", (event) => {
    if (event.target.matches && event.target.matches("[data-question]")) preview();
  });
})();
