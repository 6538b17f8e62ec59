// Save the online form as the citizen types, so a lost connection or an expired session loses
// nothing. Plain fetch; the form still works without script (the "Lưu nháp" button).
(function () {
  var form = document.getElementById("draft-form");
  var status = document.getElementById("autosave-status");
  if (!form || !window.fetch) return;
  var timer = null;
  function save() {
    var data = new FormData();
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && el.type !== "file" && el.type !== "submit" && el.name !== "website") data.append(el.name, el.value);
    });
    fetch(form.action || window.location.href, { method: "POST", body: data, headers: { "X-Autosave": "1" }, credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (j) { if (j && status) status.textContent = "Đã lưu lúc " + j.saved; })
      .catch(function () { if (status) status.textContent = "Chưa lưu được (mất kết nối?) – sẽ thử lại."; });
  }
  form.addEventListener("input", function (e) {
    if (e.target.type === "file") return;
    clearTimeout(timer);
    timer = setTimeout(save, 800);
  });
})();
