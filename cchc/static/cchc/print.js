// Buttons marked data-print print the page (no inline handlers: the Content-Security-Policy forbids them).
(function () {
  document.addEventListener("click", function (e) {
    var button = e.target.closest ? e.target.closest("[data-print]") : null;
    if (button) { e.preventDefault(); window.print(); }
  });
})();
