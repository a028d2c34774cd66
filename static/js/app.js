// Small progressive enhancements; every page works without them.
document.addEventListener("htmx:responseError", (event) => {
  const status = event.detail.xhr.status;
  const text = status === 403
    ? "Votre rôle ne permet pas cette action."
    : status === 404
      ? "Cet élément n'existe plus ou n'appartient pas à votre organisation."
      : "Le serveur n'a pas pu enregistrer : réessayez.";
  window.alert(text);
});
// When an inline edit form arrives, put the cursor in its first field.
document.addEventListener("htmx:load", (event) => {
  const root = event.detail.elt;
  const form = root.matches && root.matches("[data-autofocus]") ? root : null;
  const field = form && form.querySelector("input:not([type=hidden]), textarea");
  if (field) field.focus();
});
