// Défis board: drag a chantier card to another défi column (SortableJS). The same move is available without a
// mouse through each card's « Placer dans » form, which this script also uses to send the drop to the server.
(function () {
  function setup() {
    var board = document.getElementById("defi-board");
    if (!board || typeof Sortable === "undefined") return;
    board.querySelectorAll("ol.chantier-drop").forEach(function (list) {
      Sortable.create(list, {
        group: "chantiers",
        animation: 150,
        draggable: ".chantier-card",
        filter: "input, select, button, a, label",
        preventOnFilter: false,
        onEnd: function (event) {
          var card = event.item;
          var form = card.querySelector("form.place-form");
          if (!form) return;
          var cards = Array.prototype.filter.call(event.to.children, function (el) {
            return el.classList.contains("chantier-card");
          });
          form.querySelector("select[name=defi]").value = event.to.dataset.defi || "";
          form.querySelector("input[name=position]").value = cards.indexOf(card) + 1;
          htmx.trigger(form, "submit");
        },
      });
    });
  }
  document.addEventListener("DOMContentLoaded", setup);
  document.body.addEventListener("htmx:afterSettle", function (event) {
    if (event.target && event.target.id === "defi-board") setup();
  });
})();
