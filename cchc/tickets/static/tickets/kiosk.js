/* Kiosk: keeps the code box focused so a barcode reader (which types and presses Enter) always
   lands there; on the ticket screen, prints once and returns to the start screen. */
(function () {
  "use strict";
  var code = document.getElementById("kiosk-code");
  if (code) {
    document.addEventListener("click", function (e) {
      var t = e.target;
      if (!t || !t.closest || !t.closest("input, button, a, label")) { code.focus(); }
    });
    document.addEventListener("submit", function (e) {
      // One touch, one ticket: a second tap while the page loads would print two.
      var buttons = e.target.querySelectorAll("button");
      for (var i = 0; i < buttons.length; i++) { buttons[i].disabled = true; }
      if (e.submitter && e.submitter.name) {
        var keep = document.createElement("input");
        keep.type = "hidden";
        keep.name = e.submitter.name;
        keep.value = e.submitter.value;
        e.target.appendChild(keep);
      }
    });
  }
  var ticket = document.getElementById("ticket");
  var printButton = document.querySelector("[data-print]");
  if (printButton) {
    printButton.addEventListener("click", function () { window.print(); });
  }
  if (ticket && ticket.hasAttribute("data-autoprint")) {
    window.setTimeout(function () { window.print(); }, 300);
    var after = parseInt(ticket.getAttribute("data-after"), 10) || 12;
    window.setTimeout(function () { window.location.replace(ticket.getAttribute("data-return")); }, after * 1000);
  }
})();
