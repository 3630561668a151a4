/* Irreversible actions ask first (core/confirmation.py). A form with data-confirm-title opens
   the layout's <dialog> with what will happen; "Confirmer" posts it with confirmation=oui,
   "Revenir" closes the dialog and gives the focus back to the button. Without this script
   the server answers a confirmation page instead. */
(function () {
  "use strict";
  var dialog = document.getElementById("confirm-dialog");
  if (!dialog || typeof dialog.showModal !== "function") {
    return; // the server's confirmation page takes over
  }
  var title = document.getElementById("confirm-dialog-title");
  var text = document.getElementById("confirm-dialog-text");
  var accept = document.getElementById("confirm-dialog-accept");
  var pending = null;

  function confirmationInput(form) {
    var input = form.querySelector("input[name='confirmation']");
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = "confirmation";
      form.appendChild(input);
    }
    return input;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm-title")) {
      return;
    }
    if (confirmationInput(form).value === "oui") {
      return; // confirmed: let it go
    }
    event.preventDefault();
    pending = { form: form, submitter: event.submitter || null };
    title.textContent = form.getAttribute("data-confirm-title");
    text.textContent = form.getAttribute("data-confirm-text");
    accept.textContent = form.getAttribute("data-confirm-button") || accept.getAttribute("data-default");
    dialog.returnValue = "";
    dialog.showModal();
  });

  dialog.addEventListener("close", function () {
    var done = pending;
    pending = null;
    if (!done) {
      return;
    }
    if (dialog.returnValue === "confirm") {
      confirmationInput(done.form).value = "oui";
      if (typeof done.form.requestSubmit === "function") {
        done.form.requestSubmit(done.submitter || undefined);
      } else {
        done.form.submit();
      }
    } else if (done.submitter) {
      done.submitter.focus();
    }
  });
})();
