/* Waiting-room board: polls the board feed (poll.js) and redraws; announces each new call to
   screen readers (aria-live) and, once someone presses the sound button, aloud in Vietnamese. */
(function () {
  "use strict";
  var root = document.getElementById("board");
  if (!root || !window.cchcQueue) { return; }
  var q = window.cchcQueue;
  var setText = q.setText;
  var stamp = root.getAttribute("data-stamp") || "";
  var say = root.getAttribute("data-say");
  var speak = false;
  var $ = function (id) { return document.getElementById(id); };

  function announce(current) {
    var text = say.replace("{code}", q.spoken(current.code)).replace("{counter}", String(current.counter));
    q.announce($("board-announcer"), $("board-now"), text);
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

  // Vietnam time from the server: the page carries the server's moment (data-now, ms since
  // 1970) and Vietnam's UTC offset (data-offset, minutes). The clock keeps the difference between
  // the server's clock and the device's, and shows UTC + offset, so a device set to the wrong
  // time or zone still shows the time people's phones show.
  var clock = $("board-clock");
  var serverNow = clock ? parseInt(clock.getAttribute("data-now"), 10) : NaN;
  var skew = isNaN(serverNow) ? 0 : serverNow - Date.now();
  var offsetMs = (clock ? parseInt(clock.getAttribute("data-offset"), 10) || 420 : 420) * 60000;
  function tickClock() {
    if (!clock) { return; }
    var d = new Date(Date.now() + skew + offsetMs);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    setText(clock, pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()));
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
  q.poll(root.getAttribute("data-feed"), parseInt(root.getAttribute("data-every"), 10) || 2500,
    render, $("board-conn"), root.getAttribute("data-offline"));
})();
