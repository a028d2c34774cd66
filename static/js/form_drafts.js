// Work is not lost. Included by base.html on every page; it looks after two kinds of forms:
//
// - `<form data-keep-draft>`: what is typed is kept in this browser (localStorage) while typing, per form (the URL
//   it is sent to) and per field; leaving the page with unsaved changes asks first; coming back, the form offers
//   « Reprendre cette saisie ». The hidden version fields the form was opened with (`seen_version`…) are kept with
//   the draft and restored with it: a draft typed before someone else's save is then refused by the server's
//   stale-edit guard, which shows both texts, instead of silently overwriting that save. A draft is dropped once
//   its form was sent and the page that follows shows no error (saved), or when « L'abandonner » is pressed.
// - `<form data-draft-key="…" data-draft-version="…">` (the fiche action and its budget): the same, with the
//   form's own `[data-draft-banner]`, and a draft typed on an older version dropped once that version is saved.
(() => {
  if (window.capFormDrafts) return; // a page may include this script twice (base.html and its own template)
  window.capFormDrafts = true;

  const PREFIX = "cap-draft:";
  const SENT = "cap-draft-sent"; // sessionStorage: the drafts whose form was just sent

  const read = (key) => {
    try {
      return JSON.parse(window.localStorage.getItem(key) || "null");
    } catch (_error) {
      return null;
    }
  };
  const write = (key, value) => {
    try {
      window.localStorage.setItem(key, JSON.stringify(value));
    } catch (_error) {
      // Storage full or refused (private browsing): the warning before leaving still protects the input.
    }
  };
  const pageHasErrors = () => Boolean(document.querySelector(".errorlist, .message-error, [role=alert]"));

  // The form sent from the previous page was saved if this page shows no error: its draft is done with.
  let sent = [];
  try {
    sent = JSON.parse(window.sessionStorage.getItem(SENT) || "[]");
    window.sessionStorage.removeItem(SENT);
  } catch (_error) {
    sent = [];
  }
  if (!pageHasErrors()) {
    for (const key of sent) {
      try {
        window.localStorage.removeItem(key);
      } catch (_error) {
        // No storage: nothing was kept either.
      }
    }
  }

  const markSent = (key) => {
    try {
      const keys = JSON.parse(window.sessionStorage.getItem(SENT) || "[]");
      if (!keys.includes(key)) keys.push(key);
      window.sessionStorage.setItem(SENT, JSON.stringify(keys));
    } catch (_error) {
      // Without sessionStorage the draft stays until « L'abandonner » or a newer version.
    }
  };

  // Where the form is sent, as a path: the key of its draft (with its rank among the page's forms sent there).
  const target = (form) => {
    const action = form.getAttribute("action");
    return action ? new URL(action, window.location.href).pathname : window.location.pathname;
  };

  const makeBanner = (form) => {
    const banner = document.createElement("div");
    banner.className = "draft-banner message message-info";
    banner.dataset.draftBanner = "";
    banner.hidden = true;
    banner.setAttribute("role", "status");
    const text = document.createElement("p");
    text.append("Une saisie non enregistrée de ce formulaire est conservée dans ce navigateur (");
    const when = document.createElement("span");
    when.dataset.draftWhen = "";
    text.append(when, ").");
    const restore = document.createElement("button");
    restore.type = "button";
    restore.className = "small";
    restore.dataset.draftRestore = "";
    restore.textContent = "Reprendre cette saisie";
    const discard = document.createElement("button");
    discard.type = "button";
    discard.className = "small secondary";
    discard.dataset.draftDiscard = "";
    discard.textContent = "L'abandonner";
    banner.append(text, restore, " ", discard);
    form.prepend(banner);
    return banner;
  };

  const ranks = new Map();

  const init = (form) => {
    if (form.dataset.draftReady) return;
    form.dataset.draftReady = "1";
    const keep = form.hasAttribute("data-keep-draft");
    let key;
    if (keep) {
      const path = target(form);
      const rank = (ranks.get(path) || 0) + 1;
      ranks.set(path, rank);
      key = `${PREFIX}${path}#${rank}`;
    } else {
      key = PREFIX + form.dataset.draftKey;
    }
    const version = form.dataset.draftVersion || "";
    let submitting = false;

    const skipped = ["submit", "button", "file", "reset", "image"];
    const fields = () => [...form.elements].filter(
      (el) => el.name && !skipped.includes(el.type) && el.name !== "csrfmiddlewaretoken" && !el.disabled,
    );
    // Each field by name and rank among the fields of that name (a group of checkboxes shares one name).
    const entries = (hidden) => {
      const seen = new Map();
      const out = {};
      for (const el of fields()) {
        const rank = seen.get(el.name) || 0;
        seen.set(el.name, rank + 1);
        if ((el.type === "hidden") !== hidden) continue;
        const name = keep ? `${el.name}#${rank}` : el.name;
        if (el.type === "checkbox" || (keep && el.type === "radio")) out[name] = el.checked;
        else if (el.type === "select-multiple") out[name] = [...el.selectedOptions].map((o) => o.value);
        else out[name] = el.value;
      }
      return out;
    };
    const apply = (values, hidden) => {
      const seen = new Map();
      for (const el of fields()) {
        const rank = seen.get(el.name) || 0;
        seen.set(el.name, rank + 1);
        if ((el.type === "hidden") !== hidden) continue;
        const name = keep ? `${el.name}#${rank}` : el.name;
        if (!(name in values)) continue;
        const value = values[name];
        if (el.type === "checkbox" || (keep && el.type === "radio")) el.checked = Boolean(value);
        else if (el.type === "select-multiple") {
          for (const option of el.options) option.selected = value.includes(option.value);
        } else el.value = value;
      }
    };
    const values = () => entries(false);
    const initial = JSON.stringify(values());
    // The hidden version fields of what is being typed: the page's, or a restored draft's.
    let versionFields = entries(true);
    // A form shown again with errors holds input that is not saved yet.
    let dirty = keep && Boolean(form.querySelector(".errorlist"));

    let saved = read(key);
    if (!keep && saved && saved.version !== version && !pageHasErrors()) {
      window.localStorage.removeItem(key); // typed on an older version that has been saved since
      saved = null;
    }
    let timer = null;
    const remember = () => {
      if (dirty) write(key, { version, at: Date.now(), values: values(), hidden: versionFields });
    };
    const banner = form.querySelector("[data-draft-banner]") || (keep ? makeBanner(form) : null);
    if (saved && banner && JSON.stringify(saved.values) !== initial) {
      banner.hidden = false;
      const when = banner.querySelector("[data-draft-when]");
      if (when) when.textContent = new Date(saved.at).toLocaleString("fr-FR");
      banner.querySelector("[data-draft-restore]").addEventListener("click", () => {
        apply(saved.values, false);
        if (keep && saved.hidden) {
          // The version it was typed on: if someone saved since, the server refuses and shows both texts.
          apply(saved.hidden, true);
          versionFields = saved.hidden;
        }
        dirty = true;
        banner.hidden = true;
        remember();
      });
      banner.querySelector("[data-draft-discard]").addEventListener("click", () => {
        window.localStorage.removeItem(key);
        banner.hidden = true;
      });
      const details = form.closest("details");
      if (details) details.open = true; // a draft waits in a folded form: show it
    }

    const changed = () => {
      dirty = JSON.stringify(values()) !== initial;
      window.clearTimeout(timer);
      timer = window.setTimeout(remember, 300);
    };
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
    form.addEventListener("submit", () => {
      submitting = true;
      window.clearTimeout(timer);
      if (dirty) remember();
      markSent(key);
    });
    window.addEventListener("beforeunload", (event) => {
      if (dirty && !submitting) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  };

  const scan = (root) => {
    for (const form of root.querySelectorAll("form[data-keep-draft], form[data-draft-key]")) init(form);
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", () => scan(document));
  else scan(document);
  // Forms brought in by htmx later are looked after too.
  document.addEventListener("htmx:load", (event) => scan(event.target.parentElement || document));
})();
