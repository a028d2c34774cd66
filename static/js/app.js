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
  // htmx:load fires on the swapped-in element (e.g. the <li> around the form), so look inside it too.
  const root = event.detail.elt;
  if (!root.matches) return;
  const form = root.matches("[data-autofocus]") ? root : root.querySelector("[data-autofocus]");
  const field = form && form.querySelector("input:not([type=hidden]), textarea");
  if (field) field.focus();
});
// Keyboard users keep their place across swaps: when the focused button (e.g. ↓ of an item) is replaced,
// focus the same button of the same item in the new HTML, so pressing Enter again moves it further.
let focusedButton = null;
document.addEventListener("htmx:beforeSwap", () => {
  const el = document.activeElement;
  const owner = el && el.matches("button[name][value]") && el.parentElement ? el.parentElement.closest("[id]") : null;
  focusedButton = owner ? { owner: owner.id, name: el.name, value: el.value } : null;
});
document.addEventListener("htmx:afterSettle", () => {
  if (!focusedButton || (document.activeElement && document.activeElement !== document.body)) return;
  const { owner, name, value } = focusedButton;
  focusedButton = null;
  const ownerEl = document.getElementById(owner);
  const button = ownerEl && ownerEl.querySelector(`button[name="${CSS.escape(name)}"][value="${CSS.escape(value)}"]`);
  if (button) button.focus();
});
// Confirmation before a form is sent: `<form data-confirm="…">` (or the same on its submit button). The text comes
// from an HTML attribute, escaped by Django's templates, never from JavaScript source, so an apostrophe or quote in
// the French text is safe. Capture phase: this runs before htmx's own submit listener on the form, so cancelling
// stops an hx-post form as well as a plain one.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const submitter = event.submitter;
  const text = (submitter && submitter.dataset.confirm) || form.dataset.confirm;
  if (text && !window.confirm(text)) {
    event.preventDefault();
    event.stopImmediatePropagation();
  }
}, true);
// `<select data-autosubmit>`: choosing an option sends its form (a <noscript> button does it without JavaScript).
document.addEventListener("change", (event) => {
  const field = event.target;
  if (field.matches && field.matches("[data-autosubmit]") && field.form) field.form.requestSubmit();
});
// `<a data-history-back href="…">`: « Annuler » goes back in the history, where the person was, with its scroll
// position; the href (the previous page) is there for a page opened directly or without JavaScript.
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("a[data-history-back]");
  if (!link || window.history.length < 2) return;
  let sameSite = false;
  try {
    sameSite = new URL(document.referrer).origin === window.location.origin;
  } catch (error) {
    sameSite = false;
  }
  if (!sameSite) return;
  event.preventDefault();
  window.history.back();
});
