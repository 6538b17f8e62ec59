/* One counter's screen: polls its feed like the board (same period, same back-off) and shows
   the number called or served there; each new call (or recall) flashes and is written to an
   aria-live region. Plain ES5 and XMLHttpRequest so that old TV browsers run it. */
(function () {
  "use strict";
  var root = document.getElementById("display");
  if (!root) { return; }
  var feed = root.getAttribute("data-feed");
  var every = parseInt(root.getAttribute("data-every"), 10) || 2500;
  var stamp = root.getAttribute("data-stamp") || "";
  var failures = 0;
  var $ = function (id) { return document.getElementById(id); };

  function setText(el, value) {
    if (el && el.textContent !== value) { el.textContent = value; }
  }

  function spoken(code) {
    return code.replace(/^([A-Z]*)0*(\d+)$/, function (_m, p, n) { return (p ? p + " " : "") + n; });
  }

  function announce(state) {
    var text = root.getAttribute("data-say").replace("{code}", spoken(state.current.code))
      .replace("{counter}", String(state.counter.number));
    setText($("display-announcer"), "");
    window.setTimeout(function () { setText($("display-announcer"), text); }, 50);
    var now = $("display-now");
    now.className = "now";
    void now.offsetWidth; // restart the flash animation
    now.className = "now flash";
  }

  function render(state) {
    var c = state.current;
    setText($("display-counter"), state.counter.name);
    setText($("display-label"), root.getAttribute(
      !c ? "data-idle" : c.status === "serving" ? "data-serving" : "data-called"));
    setText($("display-current-code"), c ? c.code : "\u2014");
    if (!c) { $("display-now").className = "now idle"; }
    var next = c ? c.code + "@" + c.called_at : "";
    if (next && next !== stamp) { announce(state); }
    stamp = next;
  }

  function poll() {
    var xhr = new XMLHttpRequest();
    xhr.open("GET", feed, true);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.timeout = 10000;
    xhr.onload = function () {
      if (xhr.status === 200) {
        try {
          render(JSON.parse(xhr.responseText));
          failures = 0;
          setText($("display-conn"), "");
        } catch (err) { failures++; }
      } else { failures++; }
      schedule();
    };
    xhr.onerror = xhr.ontimeout = function () {
      failures++;
      setText($("display-conn"), root.getAttribute("data-offline"));
      schedule();
    };
    xhr.send();
  }

  function schedule() {
    // Back off while the server is unreachable, up to 30 s, so a restart is not stampeded.
    var wait = failures ? Math.min(every * Math.pow(2, failures), 30000) : every;
    window.setTimeout(poll, wait);
  }

  schedule();
})();
