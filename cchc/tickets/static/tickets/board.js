/* Waiting-room board: polls the board feed and redraws; announces each new call to screen
   readers (aria-live) and, once someone presses the sound button, aloud in Vietnamese.
   Plain ES5 and XMLHttpRequest so that old TV browsers run it. */
(function () {
  "use strict";
  var root = document.getElementById("board");
  if (!root) { return; }
  var feed = root.getAttribute("data-feed");
  var every = parseInt(root.getAttribute("data-every"), 10) || 2500;
  var stamp = root.getAttribute("data-stamp") || "";
  var say = root.getAttribute("data-say");
  var failures = 0;
  var speak = false;
  var $ = function (id) { return document.getElementById(id); };

  function setText(el, value) {
    if (el && el.textContent !== value) { el.textContent = value; }
  }

  function spoken(code) {
    // "U012" read as "U, 0, 1, 2" is what people hear from a caller; "12" reads fine.
    return code.replace(/^([A-Z]*)0*(\d+)$/, function (_m, p, n) { return (p ? p + " " : "") + n; });
  }

  function announce(current) {
    var text = say.replace("{code}", spoken(current.code)).replace("{counter}", String(current.counter));
    setText($("board-announcer"), "");
    window.setTimeout(function () { setText($("board-announcer"), text); }, 50);
    var now = $("board-now");
    now.className = "now";
    void now.offsetWidth; // restart the flash animation
    now.className = "now flash";
    if (speak && window.speechSynthesis && window.SpeechSynthesisUtterance) {
      var u = new window.SpeechSynthesisUtterance(text);
      u.lang = "vi-VN";
      window.speechSynthesis.speak(u);
    }
  }

  function render(state) {
    var c = state.current;
    setText($("board-current-code"), c ? c.code : "\u2014");
    setText($("board-current-counter"), c && c.counter !== null ? String(c.counter) : "\u2014");
    var body = $("board-calls");
    var rows = [];
    for (var i = 0; i < state.called.length; i++) {
      var e = state.called[i];
      rows.push(e.status + "|" + e.code + "|" + e.counter);
    }
    var key = rows.join(",");
    if (body.getAttribute("data-key") !== key) {
      body.setAttribute("data-key", key);
      while (body.firstChild) { body.removeChild(body.firstChild); }
      for (var j = 0; j < state.called.length; j++) {
        var entry = state.called[j];
        var tr = document.createElement("tr");
        tr.className = "board-call " + entry.status;
        var code = document.createElement("td");
        code.className = "board-code";
        code.textContent = entry.code;
        var counter = document.createElement("td");
        counter.className = "board-counter";
        counter.textContent = entry.counter === null ? "" : String(entry.counter);
        tr.appendChild(code);
        tr.appendChild(counter);
        body.appendChild(tr);
      }
    }
    setText($("board-waiting"), String(state.waiting));
    var next = c ? c.code + "@" + c.called_at : "";
    if (next && next !== stamp) { announce(c); }
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
          setText($("board-conn"), "");
        } catch (err) { failures++; }
      } else { failures++; }
      schedule();
    };
    xhr.onerror = xhr.ontimeout = function () {
      failures++;
      setText($("board-conn"), root.getAttribute("data-offline"));
      schedule();
    };
    xhr.send();
  }

  function schedule() {
    // Back off while the server is unreachable, up to 30 s, so a restart is not stampeded.
    var wait = failures ? Math.min(every * Math.pow(2, failures), 30000) : every;
    window.setTimeout(poll, wait);
  }

  function tickClock() {
    var d = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    setText($("board-clock"), pad(d.getHours()) + ":" + pad(d.getMinutes()));
  }

  var button = $("board-sound");
  if (button && window.speechSynthesis) {
    button.hidden = false;
    button.addEventListener("click", function () {
      speak = !speak;
      button.setAttribute("aria-pressed", speak ? "true" : "false");
    });
  }
  tickClock();
  window.setInterval(tickClock, 15000);
  schedule();
})();
