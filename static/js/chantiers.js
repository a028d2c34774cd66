// Step 4 (chantiers clés). No framework: small listeners on data attributes.

// `<button data-print>`: the printed inventory.
document.addEventListener("click", (event) => {
  if (event.target.closest && event.target.closest("[data-print]")) window.print();
});

// The fiche's green criteria, live while the scribe types: which of pilot, operator, associated actors and
// resources is identified. The server checks the same rule when the fiche is saved (chantiers.actions.save_sheet).
function refreshCriteria(form) {
  form.querySelectorAll("[data-criterion]").forEach((item) => {
    const field = form.elements[item.dataset.source];
    if (!field) return;
    const met = field.tagName === "SELECT" ? field.selectedOptions.length > 0 : field.value.trim() !== "";
    item.classList.toggle("met", met);
    item.classList.toggle("unmet", !met);
    const mark = item.querySelector(".mark");
    if (mark) mark.textContent = met ? "✓" : "✗";
    const state = item.querySelector(".state");
    if (state) state.textContent = " : " + (met ? state.dataset.met : state.dataset.unmet);
  });
}
document.addEventListener("input", (event) => {
  const form = event.target.closest && event.target.closest("form[data-criteria-form]");
  if (form) refreshCriteria(form);
});
document.addEventListener("change", (event) => {
  const form = event.target.closest && event.target.closest("form[data-criteria-form]");
  if (form) refreshCriteria(form);
});

// Projector and wall: « f » toggles full screen.
document.addEventListener("keydown", (event) => {
  if (event.key !== "f" || !document.body.classList.contains("chantiers-wall")) return;
  if (document.fullscreenElement) document.exitFullscreen();
  else document.documentElement.requestFullscreen().catch(() => {});
});

// Countdowns (`<span data-timer-left="seconds">`): counted from when each element arrived, so that a projector's
// refresh (a new element with the server's new figure) never drifts.
function tickTimers() {
  document.querySelectorAll("[data-timer-left]").forEach((el) => {
    if (el._ends === undefined) el._ends = Date.now() + Number(el.dataset.timerLeft) * 1000;
    const left = Math.max(0, Math.round((el._ends - Date.now()) / 1000));
    const minutes = Math.floor(left / 60);
    const seconds = String(left % 60).padStart(2, "0");
    el.textContent = left > 0 ? `${minutes}:${seconds}` : el.dataset.done;
    el.classList.toggle("over", left === 0);
  });
}
setInterval(tickTimers, 1000);
document.addEventListener("DOMContentLoaded", tickTimers);
document.addEventListener("htmx:afterSwap", tickTimers);
