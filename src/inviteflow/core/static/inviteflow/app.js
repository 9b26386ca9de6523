/* inviteflow — the little JavaScript of our own pages (no inline scripts: the CSP forbids them).

   Copy buttons: <button type="button" data-copy="TEXT" data-copy-from="#field">Copy</button>.
   navigator.clipboard exists only in secure contexts (HTTPS or localhost), so on plain HTTP at a
   LAN address the button selects the text of its field and asks the browser to copy the
   selection; if even that is refused, the text stays selected for Ctrl+C. The label says what
   happened and turns back after two seconds.

   Read-only fields with data-select-on-click select their whole text when clicked. */
(function () {
  "use strict";

  var RESET_MS = 2000;
  var resets = new WeakMap();

  function fieldOf(button) {
    var selector = button.getAttribute("data-copy-from");
    return selector ? document.querySelector(selector) : null;
  }

  function selectText(element) {
    if (element instanceof HTMLInputElement || element instanceof HTMLTextAreaElement) {
      element.focus();
      element.select();
      return;
    }
    var range = document.createRange();
    range.selectNodeContents(element);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  function copyBySelection(button) {
    var field = fieldOf(button);
    if (!field) return false;
    selectText(field);
    try {
      return document.execCommand("copy");
    } catch (error) {
      return false;
    }
  }

  function say(button, label) {
    if (!button.hasAttribute("data-label")) button.setAttribute("data-label", button.textContent);
    button.textContent = label;
    clearTimeout(resets.get(button));
    resets.set(button, setTimeout(function () {
      button.textContent = button.getAttribute("data-label");
    }, RESET_MS));
  }

  function copyWithSelection(button) {
    say(button, copyBySelection(button) ? "Copied" : "Press Ctrl+C");
  }

  function copy(button) {
    var text = button.getAttribute("data-copy");
    if (!navigator.clipboard || !window.isSecureContext) {
      copyWithSelection(button);
      return;
    }
    navigator.clipboard.writeText(text).then(
      function () { say(button, "Copied"); },
      function () { copyWithSelection(button); }
    );
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (button) copy(button);
    var field = event.target.closest("[data-select-on-click]");
    if (field) selectText(field);
  });
})();

/* Selections that span pages ([data-selection] forms, e.g. the creators list): the count
   ([data-selected-count]) follows each tick at once; ticks kept from other pages or
   searches are the form's hidden inputs named like the checkboxes. */
(function () {
  "use strict";

  function recount(form) {
    var label = form.querySelector("[data-selected-count]");
    var all = form.querySelector("[data-all-matching]");
    if (!label) return;
    if (all && all.checked) {
      label.textContent = label.getAttribute("data-all-label");
      return;
    }
    var kept = form.querySelectorAll("input[type=hidden][name=creators]").length;
    var ticked = form.querySelectorAll("input[type=checkbox][name=creators]:checked").length;
    label.textContent = (kept + ticked) + " selected";
  }

  document.addEventListener("change", function (event) {
    var form = event.target.closest("form[data-selection]");
    if (form) recount(form);
  });
})();
