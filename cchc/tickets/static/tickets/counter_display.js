/* One counter's screen: polls its feed like the board (poll.js) and shows the number called or
   served there; each new call (or recall) flashes and is written to an aria-live region. */
(function () {
  "use strict";
  var root = document.getElementById("display");
  if (!root || !window.cchcQueue) { return; }
  var q = window.cchcQueue;
  var stamp = root.getAttribute("data-stamp") || "";
  var $ = function (id) { return document.getElementById(id); };

  function render(state) {
    var c = state.current;
    q.setText($("display-counter"), state.counter.name);
    q.setText($("display-label"), root.getAttribute(
      !c ? "data-idle" : c.status === "serving" ? "data-serving" : "data-called"));
    q.setText($("display-current-code"), c ? c.code : "\u2014");
    if (!c) { $("display-now").className = "now idle"; }
    var next = c ? c.code + "@" + c.called_at : "";
    if (next && next !== stamp) {
      q.announce($("display-announcer"), $("display-now"), root.getAttribute("data-say")
        .replace("{code}", q.spoken(c.code)).replace("{counter}", String(state.counter.number)));
    }
    stamp = next;
  }

  q.poll(root.getAttribute("data-feed"), parseInt(root.getAttribute("data-every"), 10) || 2500,
    render, $("display-conn"), root.getAttribute("data-offline"));
})();
