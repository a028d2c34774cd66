// Check-in on a phone: typing the first letters of one's name narrows the list of invitees.
document.addEventListener("DOMContentLoaded", () => {
  for (const input of document.querySelectorAll("[data-filter-list]")) {
    const list = document.getElementById(input.dataset.filterList);
    if (!list) continue;
    const normalise = (text) => text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
    input.addEventListener("input", () => {
      const wanted = normalise(input.value.trim());
      for (const item of list.children) {
        const words = normalise(item.dataset.name || "").split(/\s+/);
        item.hidden = wanted !== "" && !words.some((w) => w.startsWith(wanted)) && !normalise(item.dataset.name || "").startsWith(wanted);
      }
    });
  }
});
