// Live workshop screens: poll a cheap version endpoint and swap the live fragment when it changes;
// count the timer down locally; keyboard shortcuts for the animator's stage actions.
(function () {
  "use strict";
  const root = document.querySelector("[data-version-url]");
  if (!root) return;
  const interval = Number(root.dataset.interval || 500);
  let version = null;
  let busy = false;
  let polling = null;

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }

  function flash(text) {
    let box = document.querySelector(".flash");
    if (!box) { box = document.createElement("div"); box.className = "flash"; box.setAttribute("role", "alert"); document.body.appendChild(box); }
    box.textContent = text;
    clearTimeout(box._t);
    box._t = setTimeout(() => box.remove(), 4000);
  }

  // The phone must not lose what the participant is typing or choosing.
  function editing() {
    const active = document.activeElement;
    if (active && ["INPUT", "TEXTAREA", "SELECT"].includes(active.tagName)) return true;
    return Boolean(document.querySelector("form[data-dirty]"));
  }

  async function refresh() {
    const target = document.getElementById(root.dataset.target);
    if (!target) return;
    const response = await fetch(root.dataset.liveUrl, { headers: { "HX-Request": "true" }, cache: "no-store" });
    if (!response.ok) return;
    const holder = document.createElement("div");
    holder.innerHTML = await response.text();
    const fresh = holder.querySelector("#" + root.dataset.target);
    if (fresh) { target.replaceWith(fresh); setup(fresh); tick(); }
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
        if (version !== null && (fresh !== version || force)) {
          if (root.dataset.holdWhileEditing && editing()) { busy = false; return; }
          await refresh();
        }
        version = fresh;
      }
    } catch (e) { /* offline for a moment: try again at the next tick */ }
    busy = false;
  }

  // Timers: the server gives the seconds left at render time; counting locally avoids clock skew.
  // Post-its on the matrix: their height (data-offset, from the points) becomes the CSS variable --offset.
  function setup(scope) {
    (scope || document).querySelectorAll("[data-timer-left]").forEach((el) => {
      el._ends = Date.now() + Number(el.dataset.timerLeft) * 1000;
    });
    (scope || document).querySelectorAll("[data-offset]").forEach((el) => {
      el.style.setProperty("--offset", String(Number(el.dataset.offset) || 0));
    });
    (scope || document).querySelectorAll("form.ballot-form").forEach(setupBallot);
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
    form.addEventListener("click", (event) => {
      const button = event.target.closest("button.step");
      if (!button) return;
      event.preventDefault();
      const input = button.parentElement.querySelector("input");
      input.value = Math.max(0, Math.min(5, (Number(input.value) || 0) + Number(button.dataset.step)));
      form.dataset.dirty = "1";
      update();
    });
    form.addEventListener("input", () => { form.dataset.dirty = "1"; update(); });
    update();
  }

  // Keyboard shortcuts (editors only): every stage action of the animator.
  const keys = { v: "vote", r: "reveal", n: "next", ArrowRight: "next", p: "previous", ArrowLeft: "previous",
    t: "timer", " ": "timer", "0": "timer_reset", b: "strike" };
  if (root.dataset.actionUrl) {
    document.addEventListener("keydown", async (event) => {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      const tag = (event.target.tagName || "").toUpperCase();
      if (["INPUT", "TEXTAREA", "SELECT", "BUTTON"].includes(tag) && event.key === " ") return;
      if (["INPUT", "TEXTAREA", "SELECT"].includes(tag)) return;
      if (event.key === "f") { document.documentElement.requestFullscreen && document.documentElement.requestFullscreen(); return; }
      const action = keys[event.key];
      if (!action) return;
      event.preventDefault();
      const body = new FormData();
      body.append("action", action);
      // The state this screen shows: the server refuses an action another animator has made stale.
      const shown = document.querySelector("[data-seen-stage]");
      if (shown) {
        for (const attribute of shown.attributes) {
          if (attribute.name.startsWith("data-seen-")) body.append("seen_" + attribute.name.slice(10), attribute.value);
        }
      }
      const response = await fetch(root.dataset.actionUrl, {
        method: "POST", body, headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
      });
      const data = await response.json().catch(() => ({}));
      if (!response.ok) { flash(data.error || "Action refusée."); return; }
      if (root.dataset.reloadOnAction) { window.location.reload(); return; }
      poll(true);
    });
  }

  // Matrix post-its (editors): drag to another column, or focus one and use the left/right arrows.
  const COLUMNS = ["faible", "moyen", "fort"];
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

  setup(document);
  setInterval(tick, 250);
  tick();
  poll(false);
  polling = setInterval(() => poll(false), interval);
})();
