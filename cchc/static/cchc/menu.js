// The header menu is a <details>: folded on a phone, kept open on a wide screen (where the CSS
// hides its summary). Without this script a wide screen shows the summary; the menu still works.
(function () {
  "use strict";
  var menu = document.getElementById("site-menu");
  if (!menu || !window.matchMedia) { return; }
  var wide = window.matchMedia("(min-width: 48.01rem)");
  function sync() { menu.open = wide.matches; }
  sync();
  if (wide.addEventListener) { wide.addEventListener("change", sync); }
})();
