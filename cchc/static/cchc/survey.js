// Paper entry: a digit typed into a question's box moves the cursor to the next box, so a
// pile of forms is typed with one hand on the number pad; Enter saves. Without this file the
// Tab key does the same job.
(function () {
  "use strict";
  var form = document.querySelector("form[data-survey-entry]");
  if (!form) { return; }
  var boxes = Array.prototype.slice.call(form.querySelectorAll("input.digit"));
  boxes.forEach(function (box, i) {
    box.addEventListener("input", function () {
      if (/^[0-5]$/.test(box.value) && i + 1 < boxes.length) { boxes[i + 1].focus(); boxes[i + 1].select(); }
    });
  });
})();
