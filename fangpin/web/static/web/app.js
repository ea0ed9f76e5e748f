// fangpin web UI: small progressive enhancements; every page works without JavaScript.
(function () {
  "use strict";
  // Keep the filter form's "page" out of a new search: a changed filter starts at page 1.
  document.addEventListener("htmx:configRequest", function (event) {
    var form = event.detail.elt;
    if (form && form.id === "filters") {
      delete event.detail.parameters.page;
    }
  });
  // "/" focuses the household search box, like many list pages.
  document.addEventListener("keydown", function (event) {
    if (event.key !== "/" || /^(INPUT|SELECT|TEXTAREA)$/.test(document.activeElement.tagName)) {
      return;
    }
    var box = document.querySelector("#filters input[name=q]");
    if (box) {
      event.preventDefault();
      box.focus();
    }
  });
})();
