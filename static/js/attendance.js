/* The attendance sheet of a sitting (pages/deliberations/attendance.jinja): keys on a
   member's row (P présent, E excusé, A absent, R représenté; ↑ ↓ from row to row, ← → from
   choice to choice), a box to find a member, the
   side panel of proxies and movements opened in a dialog from a row, and the refusals the
   server answers (422: the row shows the stored status and why) swapped in place.

   The server stays the source of truth: a key only checks the row's choice and lets htmx
   post it; what shows afterwards is the row, counts and quorum the server renders. Without this
   script the page still works: menus, whole-form posts, the panel beside the sheet. */
(function () {
  "use strict";

  var sheet = document.getElementById("sheet-form");
  var panel = document.getElementById("sheet-panel");
  if (!sheet || !panel) {
    return;
  }
  var body = sheet.querySelector("tbody");
  var find = document.getElementById("sheet-find");
  var KEYS = { p: "present", e: "excused", a: "absent" };
  var fromFind = false; // the row was reached from the find box: back there after a key
  var dialog = null;
  var opener = null; // the row the dialog was opened from
  var refocus = null; // after a swap: the id of the element whose control takes the focus
  var panelAnswer = null; // after the panel's swap: "error", or "saved"

  function rows() {
    return Array.prototype.slice.call(body.querySelectorAll("tr"));
  }

  function shownRows() {
    return rows().filter(function (row) {
      return !row.classList.contains("sheet-row--hidden");
    });
  }

  function focusRow(row) {
    var choice = row && (row.querySelector("input[type=radio]:checked") || row.querySelector("input[type=radio]"));
    if (choice) {
      choice.focus();
      row.scrollIntoView({ block: "nearest" });
    }
  }

  function move(row, step) {
    var list = shownRows();
    var next = list[list.indexOf(row) + step];
    if (next) {
      focusRow(next);
    }
  }

  function plain(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function filterRow(row, wanted) {
    var hide = wanted !== "" && plain(row.getAttribute("data-name") || "").indexOf(wanted) < 0;
    row.classList.toggle("sheet-row--hidden", hide);
  }

  function filterRows(text) {
    var wanted = plain(text.trim());
    rows().forEach(function (row) {
      filterRow(row, wanted);
    });
  }

  function clearFind() {
    fromFind = false;
    if (find) {
      find.value = "";
      filterRows("");
    }
  }

  // --- Keys on a member's row ---------------------------------------------------------------

  body.addEventListener("keydown", function (event) {
    var control = event.target;
    if (!(control instanceof HTMLInputElement) || control.type !== "radio" || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    var row = control.closest("tr");
    var key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
    if (KEYS[key]) {
      event.preventDefault();
      var choice = row.querySelector("input[value=" + KEYS[key] + "]");
      if (choice && !choice.disabled && !choice.checked) {
        choice.checked = true;
        choice.dispatchEvent(new Event("change", { bubbles: true })); // htmx posts it
      }
      if (fromFind && find) {
        clearFind();
        find.focus();
      } else {
        move(row, 1);
      }
    } else if (key === "r") {
      event.preventDefault();
      if (!control.disabled) {
        openPanel(row);
      }
    } else if (key === "ArrowDown" || key === "ArrowUp") {
      event.preventDefault(); // in a group of radio buttons, it would change the choice
      fromFind = false;
      move(row, key === "ArrowDown" ? 1 : -1);
    } else if (key === "/" && find) {
      event.preventDefault();
      find.focus();
      find.select(); // what is typed next replaces the last search
    }
  });

  body.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a.sheet-proxy") : null;
    if (link) {
      event.preventDefault();
      openPanel(link.closest("tr"));
    }
  });

  // --- The find box ---------------------------------------------------------------------------

  if (find) {
    find.closest(".sheet-find").hidden = false;
    find.addEventListener("input", function () {
      filterRows(find.value);
    });
    find.addEventListener("keydown", function (event) {
      if (event.key === "Enter" || event.key === "ArrowDown") {
        event.preventDefault(); // Enter would post the whole sheet
        filterRows(find.value); // rows swapped in since the last key are filtered too
        var first = shownRows()[0];
        if (first) {
          fromFind = find.value.trim() !== "";
          focusRow(first);
        }
      } else if (event.key === "Escape") {
        clearFind();
      }
    });
    document.addEventListener("keydown", function (event) {
      var target = event.target;
      var typing =
        (target instanceof HTMLInputElement && target.type !== "radio") ||
        target instanceof HTMLTextAreaElement ||
        target instanceof HTMLSelectElement;
      if (event.key === "/" && !typing && !(dialog && dialog.open)) {
        event.preventDefault();
        find.focus();
        find.select();
      }
    });
  }

  // --- The side panel, in a dialog from a row --------------------------------------------------

  function panelBody() {
    return document.getElementById("sheet-panel-body");
  }

  function choose(id, value) {
    var field = panelBody().querySelector("#" + id);
    if (field) {
      field.value = value;
    }
  }

  function openPanel(row) {
    var person = row.id.replace("member-", "");
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.className = "sheet-dialog";
      dialog.setAttribute("aria-labelledby", "proxies-title");
      var close = document.createElement("button");
      close.type = "button";
      close.className = "button button--secondary sheet-dialog__close";
      close.textContent = panel.getAttribute("data-close-label");
      close.addEventListener("click", function () {
        dialog.close();
      });
      dialog.appendChild(close);
      document.body.appendChild(dialog);
      dialog.addEventListener("close", function () {
        panel.appendChild(panelBody());
        var back = opener && document.getElementById(opener);
        opener = null;
        if (back) {
          focusRow(back);
        }
      });
    }
    opener = row.id;
    choose("id_giver", person);
    choose("id_person", person);
    // "Représenté": the member is recorded absent with the proxy (the server checks the rest).
    var absent = panelBody().querySelector("#id_mark_absent");
    if (absent) {
      absent.checked = true;
    }
    dialog.appendChild(panelBody());
    dialog.showModal();
    var filter = panelBody().querySelector(".sheet-holder-filter input");
    (filter || panelBody().querySelector("#id_holder") || dialog.querySelector("button")).focus();
  }

  // The holder's menu, filtered as one types; a single match is chosen, Enter saves.
  function enhanceHolder() {
    var form = panelBody().querySelector(".sheet-proxy-form");
    var holder = form && form.querySelector("#id_holder");
    if (!holder || form.querySelector(".sheet-holder-filter")) {
      return;
    }
    var box = document.createElement("div");
    box.className = "sheet-holder-filter";
    var label = document.createElement("label");
    label.htmlFor = "sheet-holder-find";
    label.textContent = form.getAttribute("data-filter-label");
    var input = document.createElement("input");
    input.type = "search";
    input.id = "sheet-holder-find";
    input.autocomplete = "off";
    input.setAttribute("aria-controls", "id_holder");
    box.appendChild(label);
    box.appendChild(input);
    holder.parentNode.insertBefore(box, holder);
    input.addEventListener("input", function () {
      var wanted = plain(input.value.trim());
      var giver = (form.querySelector("#id_giver") || {}).value;
      var shown = [];
      Array.prototype.forEach.call(holder.options, function (option) {
        var keep = option.value === "" || ((wanted === "" || plain(option.text).indexOf(wanted) >= 0) && option.value !== giver);
        option.hidden = !keep;
        if (keep && option.value !== "") {
          shown.push(option);
        }
      });
      if (shown.length === 1) {
        holder.value = shown[0].value;
      } else if (holder.selectedOptions.length && holder.selectedOptions[0].hidden) {
        holder.value = "";
      }
    });
  }

  enhanceHolder();

  // --- Answers of the server ------------------------------------------------------------------

  document.addEventListener("htmx:beforeSwap", function (event) {
    var status = event.detail.xhr.status;
    var refused = status === 422 || status === 409;
    if (refused) {
      // A refusal is an answer to show: the row (or the panel) as stored, with the reason.
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
    var target = event.detail.target;
    if (target && target.id === "sheet-panel-body") {
      panelAnswer = refused ? "error" : "saved";
    } else if (target && target.tagName === "TR" && refused) {
      refocus = target.id;
    }
  });

  document.addEventListener("htmx:load", function (event) {
    var element = event.target;
    if (element.tagName === "TR" && find && find.value) {
      filterRow(element, plain(find.value.trim())); // a row swapped in keeps to the search
    }
    if (refocus && element.id === refocus) {
      refocus = null;
      focusRow(element);
    }
    if (element.id === "sheet-panel-body" && panelAnswer) {
      var answer = panelAnswer;
      panelAnswer = null;
      enhanceHolder();
      if (answer === "saved" && dialog && dialog.open) {
        dialog.close(); // the focus goes back to the member's row
      } else {
        var message = element.querySelector("#panel-answer");
        if (message) {
          message.focus();
        }
      }
    }
  });
})();
