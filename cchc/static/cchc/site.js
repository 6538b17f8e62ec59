// Small behaviours of every page; each works without this file, only less conveniently.
(function () {
  "use strict";
  // The header menu is a <details>: folded on a phone, kept open on a wide screen (where the
  // CSS hides its summary). Without this script a wide screen shows the summary; it still works.
  var menu = document.getElementById("site-menu");
  if (menu && window.matchMedia) {
    var wide = window.matchMedia("(min-width: 48.01rem)");
    var sync = function () { menu.open = wide.matches; };
    sync();
    if (wide.addEventListener) { wide.addEventListener("change", sync); }
  }
  // A form came back with errors: move the focus to their summary (GOV.UK's pattern), so a
  // keyboard or screen-reader user starts from the list of what to fix.
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
