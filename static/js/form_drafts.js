// Work is not lost: `<form data-draft-key="…" data-draft-version="…">` warns before leaving with unsaved changes
// (a tab, a link, closing the page), and keeps what is typed as a local draft in this browser, offered back by the
// form's `[data-draft-banner]` after a crash or a refused save. A draft belongs to the version of the content it
// was typed on: once the content is saved (a new version), the older draft is dropped.
(() => {
  const PREFIX = "cap-draft:";
  for (const form of document.querySelectorAll("form[data-draft-key]")) {
    const key = PREFIX + form.dataset.draftKey;
    const version = form.dataset.draftVersion || "";
    const banner = form.querySelector("[data-draft-banner]");
    let dirty = false;
    let submitting = false;

    const fields = () => [...form.elements].filter(
      (el) => el.name && !["hidden", "submit", "button", "file"].includes(el.type) && el.name !== "csrfmiddlewaretoken",
    );
    const values = () => Object.fromEntries(fields().map((el) => [el.name, el.type === "checkbox" ? el.checked : el.value]));
    const initial = JSON.stringify(values());

    let saved = null;
    try {
      saved = JSON.parse(window.localStorage.getItem(key) || "null");
    } catch (_error) {
      saved = null;
    }
    if (saved && saved.version !== version && !form.querySelector(".errorlist, [role=alert]")) {
      window.localStorage.removeItem(key); // typed on an older version that has been saved since
      saved = null;
    }
    if (saved && banner && JSON.stringify(saved.values) !== initial) {
      banner.hidden = false;
      const when = banner.querySelector("[data-draft-when]");
      if (when) when.textContent = new Date(saved.at).toLocaleString("fr-FR");
      banner.querySelector("[data-draft-restore]").addEventListener("click", () => {
        for (const el of fields()) {
          if (!(el.name in saved.values)) continue;
          if (el.type === "checkbox") el.checked = saved.values[el.name];
          else el.value = saved.values[el.name];
        }
        dirty = true;
        banner.hidden = true;
      });
      banner.querySelector("[data-draft-discard]").addEventListener("click", () => {
        window.localStorage.removeItem(key);
        banner.hidden = true;
      });
    }

    let timer = null;
    form.addEventListener("input", () => {
      dirty = JSON.stringify(values()) !== initial;
      window.clearTimeout(timer);
      timer = window.setTimeout(() => {
        if (dirty) window.localStorage.setItem(key, JSON.stringify({ version, at: Date.now(), values: values() }));
      }, 300);
    });
    form.addEventListener("submit", () => {
      submitting = true;
    });
    window.addEventListener("beforeunload", (event) => {
      if (dirty && !submitting) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }
})();
