/* Counter page: one-key shortcuts for the buttons, and the waiting counts kept fresh. */
(function () {
  "use strict";
  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) { return; }
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) { return; }
    var button = document.querySelector('button[data-key="' + (e.key || "").toLowerCase() + '"]');
    if (button && !button.disabled) {
      e.preventDefault();
      button.disabled = true;
      button.form.submit();
    }
  });
  var box = document.getElementById("counter-waiting");
  if (!box) { return; }
  var url = box.getAttribute("data-refresh");
  window.setInterval(function () {
    if (document.hidden) { return; }
    var xhr = new XMLHttpRequest();
    xhr.open("GET", url, true);
    xhr.onload = function () {
      // Sent to the login page (the session ended after the idle timeout): show it whole.
      if (xhr.responseURL && xhr.responseURL.indexOf(url) === -1) { window.location.reload(); return; }
      if (xhr.status === 200 && box.innerHTML !== xhr.responseText) { box.innerHTML = xhr.responseText; }
    };
    xhr.send();
  }, 8000);
})();
