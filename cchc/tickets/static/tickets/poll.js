/* What the waiting-room board and the counter screens share: polling a JSON feed with a
   back-off, announcing a call (aria-live and a flash), and a few helpers.
   Plain ES5 and XMLHttpRequest so that old TV browsers run it. */
var cchcQueue = (function () {
  "use strict";

  function setText(el, value) {
    if (el && el.textContent !== value) { el.textContent = value; }
  }

  function spoken(code) {
    // "U012" read as "U, 0, 1, 2" is what people hear from a caller; "12" reads fine.
    return code.replace(/^([A-Z]*)0*(\d+)$/, function (_m, p, n) { return (p ? p + " " : "") + n; });
  }

  function announce(announcer, flashing, text) {
    // Emptied first so that a recall of the same number is read again.
    setText(announcer, "");
    window.setTimeout(function () { setText(announcer, text); }, 50);
    flashing.className = "now";
    void flashing.offsetWidth; // restart the flash animation
    flashing.className = "now flash";
  }

  /* Fetch `feed` every `every` ms and hand each answer to `render`; while the server cannot be
     reached, show `offline` in `status` and wait longer each time, up to 30 s, so that a restart
     is not stampeded by every screen at once. */
  function poll(feed, every, render, status, offline) {
    var failures = 0;

    function schedule() {
      var wait = failures ? Math.min(every * Math.pow(2, failures), 30000) : every;
      window.setTimeout(once, wait);
    }

    function once() {
      var xhr = new XMLHttpRequest();
      xhr.open("GET", feed, true);
      xhr.setRequestHeader("Accept", "application/json");
      xhr.timeout = 10000;
      xhr.onload = function () {
        if (xhr.status === 200) {
          try {
            render(JSON.parse(xhr.responseText));
            failures = 0;
            setText(status, "");
          } catch (err) { failures++; }
        } else { failures++; }
        schedule();
      };
      xhr.onerror = xhr.ontimeout = function () {
        failures++;
        setText(status, offline);
        schedule();
      };
      xhr.send();
    }

    schedule();
  }

  return { setText: setText, spoken: spoken, announce: announce, poll: poll };
})();
