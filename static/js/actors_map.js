// The directory's actors map (projectgroup/actor_map.html): the structures at their place on the territory, drawn
// by Cytoscape.js from #actors-map-data (projectgroup/maps.py), each joined to its commune. Zoom (wheel, + / −),
// pan and drag with the mouse; Tab visits the structures (one invisible button laid over each node), Enter opens
// its page, arrows pan the view. Nothing here is saved: the places come from the directory.
(function () {
  "use strict";
  const box = document.getElementById("actors-map");
  const dataEl = document.getElementById("actors-map-data");
  if (!box || !dataEl || typeof window.cytoscape !== "function") return;
  const keys = document.getElementById("actors-map-keys");
  const status = document.getElementById("actors-map-status");

  document.querySelectorAll(".am-dot[data-colour]").forEach((dot) => dot.style.setProperty("--dot", dot.dataset.colour));

  const cy = window.cytoscape({
    container: box,
    elements: JSON.parse(dataEl.textContent),
    layout: { name: "preset", fit: true, padding: 40 },
    minZoom: 0.2,
    maxZoom: 4,
    wheelSensitivity: 0.25,
    boxSelectionEnabled: false,
    style: [
      { selector: "node.actor", style: {
        "background-color": "data(colour)", "border-color": "#ffffff", "border-width": 2, width: 22, height: 22,
        label: "data(label)", "font-size": "12px", "text-valign": "bottom", "text-margin-y": "4px",
        "text-wrap": "wrap", "text-max-width": "130px", "min-zoomed-font-size": 7, "text-outline-color": "#ffffff", "text-outline-width": 2,
        "font-family": "system-ui, -apple-system, 'Segoe UI', sans-serif", color: "#1b1f2a",
      } },
      { selector: "node.unplaced", style: { "border-color": "#8a93a6", "border-style": "dashed" } },
      { selector: "node.commune", style: {
        shape: "round-rectangle", "background-color": "#eef2fa", "border-color": "#8a93a6", "border-width": 1,
        width: "label", height: 18, padding: "4px", label: "data(label)", "font-size": "11px", color: "#525a6b",
        "text-valign": "center", "min-zoomed-font-size": 6, "font-family": "system-ui, -apple-system, 'Segoe UI', sans-serif",
      } },
      { selector: "edge", style: { width: 1, "line-color": "#b9c1d3", "curve-style": "straight" } },
      { selector: "node:selected", style: { "overlay-color": "#f5a623", "overlay-opacity": 0.35, "overlay-padding": 8 } },
    ],
  });
  cy.nodes(".commune").ungrabify();
  window.actorsMap = cy;

  function say(text) { if (status) status.textContent = text; }

  const buttons = [];
  if (keys) {
    cy.nodes(".actor").forEach((node) => {
      const b = document.createElement("button");
      b.type = "button";
      b.className = "rm-key";
      b.dataset.node = node.id();
      const where = node.data("commune") ? ", " + node.data("commune") : ", sans commune";
      b.setAttribute("aria-label", node.data("label") + " — " + node.data("kind") + where);
      b.setAttribute("aria-describedby", "am-help");
      keys.appendChild(b);
      buttons.push([b, node]);
      b.addEventListener("focus", () => {
        cy.$(":selected").unselect();
        node.select();
        // Bring a structure that is out of view back into it.
        const bb = node.renderedBoundingBox();
        if (bb.x1 < 0 || bb.y1 < 0 || bb.x2 > cy.width() || bb.y2 > cy.height()) cy.center(node);
        say(node.data("label") + " — " + node.data("kind") + where);
      });
      b.addEventListener("blur", () => node.unselect());
      b.addEventListener("keydown", (event) => {
        if (event.key === "Enter") { event.preventDefault(); window.location.href = node.data("url"); }
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
  cy.on("tap", "node.actor", (event) => {
    const pair = buttons.find(([, node]) => node === event.target);
    if (pair) pair[0].focus({ preventScroll: true });
  });
  cy.on("dbltap", "node.actor", (event) => { window.location.href = event.target.data("url"); });

  // Zoom and pan from the keyboard, whichever structure has the focus.
  const wrap = box.parentElement;
  wrap.addEventListener("keydown", (event) => {
    const pans = { ArrowLeft: [60, 0], ArrowRight: [-60, 0], ArrowUp: [0, 60], ArrowDown: [0, -60] };
    const centre = { x: cy.width() / 2, y: cy.height() / 2 };
    if (event.key === "+" || event.key === "=") { event.preventDefault(); cy.zoom({ level: cy.zoom() * 1.25, renderedPosition: centre }); }
    else if (event.key === "-") { event.preventDefault(); cy.zoom({ level: cy.zoom() / 1.25, renderedPosition: centre }); }
    else if (pans[event.key]) { event.preventDefault(); cy.panBy({ x: pans[event.key][0], y: pans[event.key][1] }); }
  });
  const fitButton = document.querySelector("[data-am-fit]");
  if (fitButton) fitButton.addEventListener("click", () => cy.fit(undefined, 40));
  window.addEventListener("resize", () => { cy.resize(); cy.fit(undefined, 40); });
  box.dataset.ready = "1";
})();
