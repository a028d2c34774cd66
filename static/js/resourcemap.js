// A chantier's resource map (resourcemaps/templates/resourcemaps/map.html), drawn by Cytoscape.js from the elements
// the server gives (#resourcemap-data): the chantier at the centre, one node per resource, a line per link that is
// drawn (solid: collaboration; dotted: acquaintance; none: no line at all).
// Editing, for those who may: drag a node with the mouse; or Tab to a resource (one invisible button per node, laid
// over it, so the focus ring circles the node), arrows to move it (Shift: further), L to change its line, Enter to
// open its form. Every move and line is saved at once (fetch with the CSRF token); the table under the map says the
// same links in words and is updated too.
(function () {
  "use strict";
  const box = document.getElementById("resourcemap");
  const dataEl = document.getElementById("resourcemap-data");
  if (!box || !dataEl || typeof window.cytoscape !== "function") return;
  const data = JSON.parse(dataEl.textContent);
  const editable = Boolean(data.editable);
  const keys = document.getElementById("resourcemap-keys");
  const status = document.getElementById("resourcemap-status");
  const CYCLE = ["none", "dotted", "solid"];
  const LABELS = { none: "aucun trait", dotted: "pointillé", solid: "trait plein" };

  function csrfToken() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; } catch (e) { return ""; }
  }
  function say(text) {
    if (!status) return;
    status.textContent = "";
    // A new node each time, so that screen readers announce the same sentence twice in a row.
    window.setTimeout(() => { status.textContent = text; }, 30);
  }

  const cy = window.cytoscape({
    container: box,
    elements: data.elements,
    layout: { name: "preset", fit: true, padding: 40 },
    minZoom: 0.3,
    maxZoom: 2.5,
    wheelSensitivity: 0.25,
    autoungrabify: !editable,
    boxSelectionEnabled: false,
    style: [
      { selector: "node", style: {
        label: "data(label)", "text-wrap": "wrap", "text-max-width": "140px", "font-size": "15px",
        "font-family": "system-ui, -apple-system, 'Segoe UI', sans-serif", color: "#1b1f2a",
        "text-valign": "bottom", "text-margin-y": "6px", "text-outline-color": "#ffffff", "text-outline-width": 2,
      } },
      { selector: "node.resource", style: {
        shape: "data(shape)", "background-color": "data(colour)", "border-color": "data(colour)",
        "border-width": 2, width: 36, height: 36,
      } },
      { selector: "node.above", style: { "text-valign": "top", "text-margin-y": "-6px" } },
      { selector: "node.a_mobiliser", style: { "background-opacity": 0.35 } },
      { selector: "node.a_creer", style: { "background-color": "#ffffff", "border-width": 3 } },
      { selector: "node.chantier", style: {
        shape: "round-rectangle", "background-color": "#1b1f2a", color: "#ffffff", "text-valign": "center",
        "text-margin-y": 0, "text-outline-width": 0, width: 240, height: 84, "text-max-width": "220px",
        "font-size": "15px", "font-weight": "bold",
      } },
      { selector: "edge", style: { width: 3, "line-color": "#4a5368", "curve-style": "straight" } },
      { selector: "edge.solid", style: { "line-style": "solid" } },
      { selector: "edge.dotted", style: { "line-style": "dashed", "line-dash-pattern": [1, 8], "line-cap": "round", width: 3.5 } },
      { selector: "node:selected", style: { "overlay-color": "#f5a623", "overlay-opacity": 0.35, "overlay-padding": 10 } },
    ],
  });
  cy.$("#chantier").ungrabify();
  cy.$("#chantier").unselectify();
  window.resourceMap = cy;  // for the browser tests and the curious

  function post(url, fields) {
    const body = new FormData();
    Object.entries(fields).forEach(([k, v]) => body.append(k, v));
    return fetch(url, { method: "POST", body, headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" } })
      .then((response) => response.json().catch(() => ({})).then((json) => ({ ok: response.ok, json })))
      .catch(() => ({ ok: false, json: { error: "Connexion perdue : la modification n'a pas été enregistrée." } }));
  }

  const pending = new Map();
  function savePosition(node, announce) {
    node.toggleClass("above", node.position().y < -20);
    const url = node.data("place_url");
    if (!url) return;
    clearTimeout(pending.get(node.id()));
    // Arrow presses in a row are saved once, when the hand stops.
    pending.set(node.id(), setTimeout(() => {
      const p = node.position();
      post(url, { x: p.x.toFixed(1), y: p.y.toFixed(1) }).then(({ ok, json }) => {
        if (!ok) say(json.error || "Déplacement refusé.");
        else if (announce) say("« " + node.data("name") + " » déplacée, position enregistrée.");
        box.dataset.saved = String(Number(box.dataset.saved || 0) + 1);
      });
    }, announce ? 350 : 0));
  }

  function setLink(node, kind) {
    return post(node.data("link_url"), { link: kind }).then(({ ok, json }) => {
      if (!ok) { say(json.error || "Changement refusé."); return; }
      node.data("link", json.link);
      node.data("link_label", json.link_label);
      const edge = cy.$id("e" + node.data("pk"));
      if (json.link === "none") edge.remove();
      else if (edge.length) edge.classes(json.link);
      else cy.add({ group: "edges", data: { id: "e" + node.data("pk"), source: "chantier", target: node.id(), link: json.link }, classes: json.link });
      const cell = document.querySelector('[data-link-cell="' + node.data("pk") + '"]');
      if (cell) cell.textContent = json.link_label;
      const button = keys && keys.querySelector('[data-node="' + node.id() + '"]');
      if (button) button.setAttribute("aria-label", describe(node));
      say("Lien avec « " + node.data("name") + " » : " + json.description + ".");
    });
  }

  function describe(node) {
    return node.data("name") + " — " + node.data("nature") + ", " + (LABELS[node.data("link")] || "");
  }

  // One focusable button over each resource.
  const buttons = [];
  if (keys) {
    cy.nodes(".resource").forEach((node) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "rm-key";
      b.dataset.node = node.id();
      b.setAttribute("aria-label", describe(node));
      b.setAttribute("aria-describedby", "rm-help");
      keys.appendChild(b);
      buttons.push([b, node]);
      b.addEventListener("focus", () => { cy.$(":selected").unselect(); node.select(); });
      b.addEventListener("blur", () => node.unselect());
      b.addEventListener("keydown", (event) => {
        const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
        const key = event.key;
        if (moves[key]) {
          event.preventDefault();
          if (!editable) { say("Lecture seule : la carte ne peut pas être modifiée."); return; }
          const step = event.shiftKey ? 50 : 10;
          const p = node.position();
          node.position({ x: p.x + moves[key][0] * step, y: p.y + moves[key][1] * step });
          savePosition(node, true);
        } else if (key === "l" || key === "L") {
          event.preventDefault();
          if (!editable) { say("Lecture seule : la carte ne peut pas être modifiée."); return; }
          const next = CYCLE[(CYCLE.indexOf(node.data("link")) + 1) % CYCLE.length];
          setLink(node, next);
        } else if (key === "Enter" && node.data("edit_url")) {
          event.preventDefault();
          window.location.href = node.data("edit_url");
        } else if (key === "Escape") {
          b.blur();
        }
      });
    });
  }
  let placing = false;
  function place() {
    if (placing) return;
    placing = true;
    requestAnimationFrame(() => {
      placing = false;
      buttons.forEach(([b, node]) => {
        const bb = node.renderedBoundingBox({ includeLabels: false });
        b.style.left = bb.x1 - 4 + "px";
        b.style.top = bb.y1 - 4 + "px";
        b.style.width = bb.w + 8 + "px";
        b.style.height = bb.h + 8 + "px";
      });
    });
  }
  cy.on("render viewport position", place);
  place();

  cy.on("dragfree", "node.resource", (event) => {
    savePosition(event.target, false);
    say("« " + event.target.data("name") + " » déplacée, position enregistrée.");
  });
  cy.on("tap", "node.resource", (event) => {
    const pair = buttons.find(([, node]) => node === event.target);
    if (pair) pair[0].focus({ preventScroll: true });
  });

  const fitButton = document.querySelector("[data-rm-fit]");
  if (fitButton) fitButton.addEventListener("click", () => cy.fit(undefined, 40));
  window.addEventListener("resize", () => { cy.resize(); cy.fit(undefined, 40); });
  box.dataset.ready = "1";
})();
