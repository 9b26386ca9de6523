/* The email template editor: a placeholder button inserts its tag where the cursor was, in the
   last field focused (subject, body or HTML body). A file, not an inline script: the CSP
   allows scripts from our own origin only. */
(function () {
  "use strict";

  var last = document.querySelector("[data-insertable]");

  document.addEventListener("focusin", function (event) {
    if (event.target.matches("[data-insertable]")) last = event.target;
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button.insert[data-insert]");
    if (!button || !last) return;
    var text = button.dataset.insert, start = last.selectionStart, end = last.selectionEnd;
    last.value = last.value.slice(0, start) + text + last.value.slice(end);
    last.focus();
    last.selectionStart = last.selectionEnd = start + text.length;
  });
})();
