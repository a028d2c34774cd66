// Live workshop screens (projector, presenter, phones, plenary): poll a cheap version endpoint and swap the live
// fragment when it changes, keeping whatever is being typed; fit the wall's type to the screen; count timers down
// locally; the animator's keyboard shortcuts, only those the current stage allows (the server checks them too),
// with « Annuler » (Ctrl+Z) after a destructive one.
(function () {
  "use strict";
  const root = document.querySelector("[data-version-url]");
  if (!root) return;
  const interval = Number(root.dataset.interval || 500);
  let version = null;
  let busy = false;
  let polling = null;
  const FIELDS = ["INPUT", "TEXTAREA", "SELECT"];

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }

  function flash(text, kind) {
    let box = document.querySelector(".flash");
    if (!box) { box = document.createElement("div"); box.setAttribute("role", "alert"); document.body.appendChild(box); }
    box.className = "flash" + (kind === "info" ? " info" : "");
    box.textContent = text;
    clearTimeout(box._t);
    box._t = setTimeout(() => box.remove(), 5000);
  }

  // « Annuler » for 60 s after a destructive action made from this screen (Ctrl+Z works for 10 minutes).
  function toast(label) {
    let box = document.querySelector(".toast");
    if (!box) {
      box = document.createElement("div");
      box.className = "toast";
      box.setAttribute("role", "status");
      box.appendChild(document.createElement("span"));
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = "Annuler (Ctrl+Z)";
      button.addEventListener("click", () => { box.remove(); act("undo"); });
      box.appendChild(button);
      document.body.appendChild(box);
    }
    box.firstChild.textContent = label + ".";
    clearTimeout(box._t);
    box._t = setTimeout(() => box.remove(), 60000);
  }

  function typing(target) {
    const el = target || document.activeElement;
    return Boolean(el && (FIELDS.includes((el.tagName || "").toUpperCase()) || el.isContentEditable));
  }

  // What the person is typing or choosing survives a refresh: a form being filled keeps its very node (value,
  // caret, focus), and any other field whose value was changed keeps that value.
  function changedFields(scope) {
    const kept = [];
    scope.querySelectorAll("input[id], textarea[id], select[id]").forEach((field) => {
      if (field.type === "hidden") return;
      const changed = field.type === "checkbox" || field.type === "radio"
        ? field.checked !== field.defaultChecked
        : field.value !== field.defaultValue;
      if (changed) kept.push([field.id, field.type === "checkbox" || field.type === "radio" ? field.checked : field.value]);
    });
    return kept;
  }

  function swap(target, fresh) {
    const active = document.activeElement;
    const caret = active && typing(active) && "selectionStart" in active ? [active.selectionStart, active.selectionEnd] : null;
    const kept = changedFields(target);
    target.querySelectorAll("form[id]").forEach((form) => {
      const filling = form.dataset.dirty || (active && form.contains(active) && typing(active));
      const twin = filling && fresh.querySelector("#" + CSS.escape(form.id));
      if (twin) twin.replaceWith(form);
    });
    target.replaceWith(fresh);
    kept.forEach(([id, value]) => {
      const field = document.getElementById(id);
      if (!field) return;
      if (typeof value === "boolean") field.checked = value; else field.value = value;
    });
    if (active && active.isConnected && active !== document.activeElement) {
      active.focus();
      if (caret) { try { active.setSelectionRange(caret[0], caret[1]); } catch (e) { /* not a text field */ } }
    } else if (active && active.id && !active.isConnected) {
      const again = document.getElementById(active.id);
      if (again) again.focus();
    }
  }

  async function refresh() {
    const target = document.getElementById(root.dataset.target);
    if (!target) return;
    const response = await fetch(root.dataset.liveUrl, { headers: { "HX-Request": "true" }, cache: "no-store" });
    if (!response.ok) return;
    const holder = document.createElement("div");
    holder.innerHTML = await response.text();
    const fresh = holder.querySelector("#" + root.dataset.target);
    if (fresh) { swap(target, fresh); setup(fresh); }
  }

  async function poll(force) {
    if (busy) return;
    busy = true;
    try {
      const response = await fetch(root.dataset.versionUrl, { headers: { Accept: "application/json" }, cache: "no-store" });
      // The session is gone (404) or this connection tried too many wrong codes (429): stop asking, so a
      // room of phones doesn't keep counting as wrong guesses.
      if (response.status === 404 || response.status === 429) { clearInterval(polling); busy = false; return; }
      if (response.ok) {
        const data = await response.json();
        const fresh = String(data.version);
        // The first answer may already count a change made while the page loaded: refresh once to be sure.
        if (version === null || fresh !== version || force) await refresh();
        version = fresh;
      }
    } catch (e) { /* offline for a moment: try again at the next tick */ }
    busy = false;
  }

  // The wall: the largest type at which nothing overflows the screen (--fit, from 1 down to 0.3).
  function overflowing() {
    const page = document.documentElement;
    const wallOnly = document.body.classList.contains("plenary-page");  // the observer's desk lies below the wall
    if (!wallOnly && (page.scrollHeight > window.innerHeight + 1 || page.scrollWidth > window.innerWidth + 1)) return true;
    for (const box of document.querySelectorAll("[data-fit], #live, .plenary-cols > section, .side")) {
      if (box.scrollHeight > box.clientHeight + 1 || box.scrollWidth > box.clientWidth + 1) return true;
    }
    for (const text of document.querySelectorAll(".projector .label, .projector .question")) {
      if (text.scrollWidth > text.clientWidth + 1) return true;
    }
    return false;
  }
  // A matrix column's post-its in as few side-by-side lanes as keep them from covering each other: each stays
  // centred on its points (the height is never moved), the lanes share the column's width. False: they can't.
  function packColumn(plot) {
    const posts = Array.from(plot.querySelectorAll(".postit"));
    if (!posts.length) return true;
    const height = plot.clientHeight;
    const centre = (p) => height * (1 - (Number(p.dataset.h) || 0) / 100);
    posts.sort((a, b) => centre(a) - centre(b));
    // Post-its that would cover each other at full width form a cluster; each cluster gets its own lanes.
    posts.forEach((p) => {
      p.style.setProperty("--slots", "1"); p.style.setProperty("--slot", "0"); p.style.removeProperty("--row");
    });
    const clusters = [];
    let bottom = -Infinity;
    for (const post of posts) {
      const h = post.offsetHeight, top = centre(post) - h / 2;
      if (clusters.length && top < bottom + 2) clusters[clusters.length - 1].push(post); else clusters.push([post]);
      bottom = Math.max(clusters[clusters.length - 1].length > 1 ? bottom : -Infinity, top + h);
    }
    // No lane narrower than what a post-it needs to stay legible: its number alone (numbers shown), or its
    // longest word (labels shown; narrower, a word would break across lines: « intergé / nératio / nnels »).
    const numbers = Boolean(plot.closest(".numbers"));
    const natural = Math.max(...posts.map((p) => p.offsetWidth));
    const legible = numbers ? natural + 4 : Math.min(natural, Math.max(...posts.map(longestWord)));
    const most = Math.max(1, Math.floor(plot.clientWidth * 0.96 / legible));
    for (const cluster of clusters) {
      let packed = false;
      for (let lanes = 1; lanes <= Math.min(cluster.length, most) && !packed; lanes++) {
        cluster.forEach((p) => p.style.setProperty("--slots", String(lanes)));
        const ends = new Array(lanes).fill(-Infinity);
        packed = true;
        for (const post of cluster) {
          const h = post.offsetHeight, top = centre(post) - h / 2;
          const lane = ends.findIndex((end) => end <= top - 2);
          if (lane < 0) { packed = false; break; }
          post.style.setProperty("--slot", String(lane));
          ends[lane] = top + h;
        }
      }
      if (!packed && !rows(plot, cluster, centre)) return false;
    }
    // Narrower post-its grow taller: none may now cover another.
    const boxes = posts.map((p) => p.getBoundingClientRect());
    for (let a = 0; a < boxes.length; a++) {
      for (let b = a + 1; b < boxes.length; b++) {
        const x = Math.min(boxes[a].right, boxes[b].right) - Math.max(boxes[a].left, boxes[b].left);
        const y = Math.min(boxes[a].bottom, boxes[b].bottom) - Math.max(boxes[a].top, boxes[b].top);
        if (x > 1 && y > 1) return false;
      }
    }
    return true;
  }
  // The width a post-it needs for its longest word on one line (padding included), from its own font.
  const ruler = document.createElement("canvas").getContext("2d");
  function longestWord(post) {
    const style = getComputedStyle(post);
    ruler.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const words = post.textContent.split(/\s+/).filter(Boolean);
    const widest = Math.max(0, ...words.map((word) => ruler.measureText(word).width));
    return widest + parseFloat(style.paddingLeft) + parseFloat(style.paddingRight) + 6;
  }
  // A group's projector showing numbers only (a dozen items tied in one column): the cluster's post-its as many
  // side by side as the column holds, in rows centred on their height. False when that doesn't apply.
  function rows(plot, cluster, centre) {
    if (!plot.closest(".stage-body.numbers")) return false;
    const width = Math.max(...cluster.map((p) => p.offsetWidth)) + 4;
    const across = Math.max(1, Math.floor(plot.clientWidth * 0.96 / width));
    const lines = Math.ceil(cluster.length / across);
    const number = (p) => Number(p.querySelector(".num").textContent) || 0;
    cluster.sort((a, b) => centre(a) - centre(b) || number(a) - number(b));
    cluster.forEach((post, index) => {
      post.style.setProperty("--slots", String(across));
      post.style.setProperty("--slot", String(index % across));
      post.style.setProperty("--row", String(Math.floor(index / across) - (lines - 1) / 2));
    });
    return true;
  }
  function matrixFits(scope) {
    let fits = true;
    (scope || document).querySelectorAll(".matrix .plot").forEach((plot) => { if (!packColumn(plot)) fits = false; });
    (scope || document).querySelectorAll(".matrix .postit").forEach((post) => {
      const wrap = post.closest(".matrix").getBoundingClientRect();
      const box = post.getBoundingClientRect();
      if (box.top < wrap.top - 1 || box.bottom > wrap.bottom + 1) fits = false;
    });
    return fits;
  }
  // The largest --fit at which nothing overflows; false when even the smallest type overflows.
  function search() {
    const style = document.body.style;
    const bad = () => !matrixFits() || overflowing();
    let low = 0.3, high = 1;
    style.setProperty("--fit", "1");
    if (!bad()) return true;
    for (let step = 0; step < 8; step++) {
      const middle = (low + high) / 2;
      style.setProperty("--fit", middle.toFixed(3));
      if (bad()) high = middle; else low = middle;
    }
    style.setProperty("--fit", low.toFixed(3));
    return !bad();
  }
  function fit() {
    if (!document.body.classList.contains("projector")) return;
    // A matrix (a plenary group's, or a group's projector) whose post-its can't all show their label at a readable
    // size (a dozen items tied in one column) shows their numbers, with the key below; the type never goes below
    // its floor (CSS: 1.6 % of the screen's height).
    const sections = Array.from(document.querySelectorAll(".plenary-cols > section, #live .stage-body"))
      .filter((section) => section.querySelector(".matrix"));
    sections.forEach((section) => section.classList.remove("numbers"));
    if (search() || !sections.length) return;
    const crowded = sections.filter((section) => !matrixFits(section) || section.scrollHeight > section.clientHeight + 1);
    crowded.forEach((section) => section.classList.add("numbers"));
    if (crowded.length && search()) return;
    sections.forEach((section) => section.classList.add("numbers"));
    search();
  }

  // Geometry from data attributes (no inline style in the templates): heights on the matrix, rows of the lists.
  function setup(scope) {
    const area = scope || document;
    area.querySelectorAll("[data-timer-left]").forEach((el) => {
      el._ends = Date.now() + Number(el.dataset.timerLeft) * 1000;
    });
    area.querySelectorAll("[data-h]").forEach((el) => el.style.setProperty("--h", String(Number(el.dataset.h) || 0)));
    area.querySelectorAll("[data-slots]").forEach((el) => {
      el.style.setProperty("--slot", String(Number(el.dataset.slot) || 0));
      el.style.setProperty("--slots", String(Number(el.dataset.slots) || 1));
    });
    area.querySelectorAll("[data-rows]").forEach((el) => el.style.setProperty("--rows", String(Number(el.dataset.rows) || 1)));
    const live = document.querySelector("[data-compact]");
    const screen = document.getElementById("screen");
    if (live && screen) screen.classList.toggle("compact", live.dataset.compact === "1");
    area.querySelectorAll("form.ballot-form").forEach(setupBallot);
    tick();  // the timers' text takes its room before the type is fitted
    fit();
  }
  function tick() {
    document.querySelectorAll("[data-timer-left]").forEach((el) => {
      const running = el.dataset.running === "1";
      const left = running ? Math.max(0, Math.round((el._ends - Date.now()) / 1000)) : Number(el.dataset.timerLeft);
      const m = Math.floor(left / 60), s = left % 60;
      el.textContent = m + ":" + String(s).padStart(2, "0");
      el.classList.toggle("over", running && left === 0);
    });
  }

  // Forms being filled are marked, so that a refresh keeps them.
  document.addEventListener("input", (event) => {
    const form = event.target.form || (event.target.closest && event.target.closest("form"));
    if (form) form.dataset.dirty = "1";
  });

  // Phone ballot: steppers, remaining points, and no submission above the envelope.
  function setupBallot(form) {
    const envelope = Number(form.dataset.envelope);
    const inputs = Array.from(form.querySelectorAll("input[type=number]"));
    const remainingEl = form.querySelector("[data-remaining]");
    const box = form.querySelector(".envelope");
    function update() {
      const spent = inputs.reduce((sum, i) => sum + (Number(i.value) || 0), 0);
      const remaining = envelope - spent;
      if (remainingEl) remainingEl.textContent = remaining;
      if (box) box.classList.toggle("over", remaining < 0);
      form.querySelectorAll("button.step").forEach((b) => {
        const input = b.parentElement.querySelector("input");
        const value = Number(input.value) || 0;
        b.disabled = b.dataset.step === "1" ? (value >= 5 || remaining <= 0) : value <= 0;
      });
    }
    update();
    if (form.dataset.ready) return;  // a form kept through a refresh already listens
    form.dataset.ready = "1";
    form.addEventListener("click", (event) => {
      const button = event.target.closest("button.step");
      if (!button) return;
      event.preventDefault();
      const input = button.parentElement.querySelector("input");
      input.value = Math.max(0, Math.min(5, (Number(input.value) || 0) + Number(button.dataset.step)));
      form.dataset.dirty = "1";
      update();
    });
    form.addEventListener("input", update);
  }

  // Keyboard shortcuts (editors only). The stage table comes with the live fragment (data-allowed).
  const keys = { v: "vote", r: "reveal", n: "next", arrowright: "next", p: "previous", arrowleft: "previous",
    t: "timer", " ": "timer", "0": "timer_reset", b: "strike" };
  const names = { vote: "ouvrir ou fermer le vote", reveal: "révéler les résultats", next: "étape suivante",
    previous: "étape précédente", timer: "minuteur", timer_reset: "remettre le minuteur",
    strike: "barrer les items à 0 point" };

  function shown() {
    return document.querySelector("[data-seen-stage]");
  }

  async function act(action) {
    const body = new FormData();
    body.append("action", action);
    // The state this screen shows: the server merges an action another screen already made, explains one it
    // made pointless.
    const state = shown();
    if (state) {
      for (const attribute of state.attributes) {
        if (attribute.name.startsWith("data-seen-")) body.append("seen_" + attribute.name.slice(10), attribute.value);
      }
    }
    let data = {};
    try {
      const response = await fetch(root.dataset.actionUrl, {
        method: "POST", body, headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      });
      data = await response.json().catch(() => ({}));
      if (!response.ok) flash(data.error || "Action refusée.");
    } catch (e) { flash("Connexion perdue : l'action n'a pas été envoyée."); }
    if (data.notice) flash(data.notice, "info");
    if (data.undo) toast(data.undo); else if (action === "undo") { const t = document.querySelector(".toast"); if (t) t.remove(); }
    await poll(true);
  }

  if (root.dataset.actionUrl) {
    document.addEventListener("keydown", (event) => {
      if (typing(event.target)) return;  // typing an item: the letters are text
      if ((event.ctrlKey || event.metaKey) && !event.altKey && (event.key === "z" || event.key === "Z") && !event.shiftKey) {
        event.preventDefault();
        act("undo");
        return;
      }
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      const tag = (event.target.tagName || "").toUpperCase();
      if ((tag === "BUTTON" || tag === "A") && (event.key === " " || event.key === "Enter")) return;
      const key = event.key.length === 1 ? event.key.toLowerCase() : event.key.toLowerCase();  // Shift, Caps Lock
      if (key === "f") { if (document.documentElement.requestFullscreen) document.documentElement.requestFullscreen().catch(() => {}); return; }
      const action = keys[key];
      if (!action) return;
      event.preventDefault();
      const state = document.querySelector("[data-allowed]");
      const allowed = state ? state.dataset.allowed.split(" ") : [];
      if (!allowed.includes(action)) {
        const stage = document.querySelector("[data-testid=stage]");
        flash("« " + names[action] + " » ne sert pas à cette étape" + (stage ? " (" + stage.textContent.trim() + ")" : "") + " : rien n'a été changé.", "info");
        return;
      }
      act(action);
    });
  }

  // Matrix post-its: selecting one (click, Tab) shows its reason and what it would take; editors move one to
  // another column by drag-and-drop, or with the left/right arrows once selected.
  const COLUMNS = ["faible", "moyen", "fort"];
  function detail(postit) {
    const panel = document.getElementById("postit-detail");
    if (!panel || !postit) return;
    panel.querySelector("[data-detail=label]").textContent = postit.dataset.detailLabel || "";
    panel.querySelector("[data-detail=reason]").textContent = postit.dataset.detailReason || "à compléter";
    const what = postit.dataset.detailWhat || "";
    panel.querySelector("[data-detail=what]").textContent = what;
    panel.querySelector("[data-detail-row=what]").hidden = !what;
    panel.hidden = false;
    fit();
  }
  document.addEventListener("focusin", (event) => {
    const postit = event.target.closest && event.target.closest(".matrix .postit");
    if (postit) detail(postit);
  });
  async function move(postit, x) {
    if (!x || x === postit.dataset.x) return;
    const body = new FormData();
    body.append(postit.dataset.moment + "-x", x);
    const response = await fetch(postit.dataset.placeUrl, {
      method: "POST", body, headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    });
    if (!response.ok) { const data = await response.json().catch(() => ({})); flash(data.error || "Déplacement refusé."); }
    const key = postit.dataset.placeUrl + postit.dataset.moment;
    await poll(true);
    const again = Array.from(document.querySelectorAll(".postit[data-place-url]"))
      .find((p) => p.dataset.placeUrl + p.dataset.moment === key);
    if (again) again.focus();
  }
  document.addEventListener("dragstart", (event) => {
    const postit = event.target.closest && event.target.closest(".postit[data-place-url]");
    if (!postit) return;
    window.__dragged = postit;
    event.dataTransfer.setData("text/plain", postit.dataset.moment);
  });
  document.addEventListener("dragover", (event) => { if (event.target.closest && event.target.closest(".col[data-x]")) event.preventDefault(); });
  document.addEventListener("drop", (event) => {
    const column = event.target.closest && event.target.closest(".col[data-x]");
    if (!column || !window.__dragged) return;
    event.preventDefault();
    move(window.__dragged, column.dataset.x);
    window.__dragged = null;
  });
  document.addEventListener("keydown", (event) => {
    const postit = event.target.closest && event.target.closest(".postit[data-place-url]");
    if (!postit || !["ArrowLeft", "ArrowRight"].includes(event.key)) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    const index = COLUMNS.indexOf(postit.dataset.x) + (event.key === "ArrowRight" ? 1 : -1);
    move(postit, COLUMNS[index]);
  }, true);

  window.addEventListener("resize", fit);
  setup(document);
  setInterval(tick, 250);
  tick();
  poll(false);
  polling = setInterval(() => poll(false), interval);
})();
