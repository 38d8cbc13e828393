// Progressive enhancement only: the app works without this file.
// Search as you type: the results list is replaced with the server's own HTML for the query.
"use strict";
(function () {
  var input = document.querySelector("[data-live-search]");
  if (!input) { return; }
  var timer = null;
  var latest = 0;
  input.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      var asked = ++latest;
      var url = input.getAttribute("data-live-search") + "&q=" + encodeURIComponent(input.value);
      fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          if (html === null || asked !== latest) { return; }
          var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("results");
          var results = document.getElementById("results");
          if (fresh && results) { results.replaceWith(fresh); }
        })
        .catch(function () { /* offline or busy: the Search button still works */ });
    }, 150);
  });
})();
(function () {
  // Print: the previewed PDF in a hidden frame, then the browser's print dialog on it.
  // Without this script the button opens the PDF in a new tab, to print from there.
  var button = document.querySelector("[data-print]");
  if (!button) { return; }
  button.addEventListener("click", function (event) {
    event.preventDefault();
    var old = document.getElementById("print-frame");
    if (old) { old.remove(); }
    var frame = document.createElement("iframe");
    frame.id = "print-frame";
    frame.className = "print-frame";
    frame.title = "The PDF to print";
    frame.setAttribute("aria-hidden", "true");
    frame.tabIndex = -1;
    frame.addEventListener("load", function () {
      try {
        frame.contentWindow.focus();
        frame.contentWindow.print();
      } catch (error) {
        window.open(button.href, "_blank");  // a browser that cannot print a framed PDF
      }
    });
    frame.src = button.href;
    document.body.appendChild(frame);
  });
})();
(function () {
  // move focus to the error summary so keyboard and screen-reader users hear it first
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
