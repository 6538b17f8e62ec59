/* The counter's receipt page (dossiers/receive.html). Everything here is a shortcut: without
   JavaScript the same page works by plain forms (search lists matches as links, "Tìm" posts the
   phone to fill the applicant, both outcome fields show).
   - procedure search as you type: a combobox, arrow keys move, Enter opens the hit;
   - applicant filled from an earlier dossier when the phone or CCCD is typed;
   - a thumbnail (image) or an icon (PDF) with name and size for each scanned file;
   - one-key shortcuts (T, G, I, M) as on the queue counter screen, when not typing. */
(function () {
  "use strict";
  var root = document.getElementById("receive");
  if (!root) { return; }
  var numberFormat = new Intl.NumberFormat("vi-VN", { maximumFractionDigits: 1 });

  // A letter typed into a box is text; on a checkbox, radio or button it is a shortcut.
  function typing(t) {
    if (!t) { return false; }
    if (t.tagName === "INPUT") { return !/^(checkbox|radio|button|submit|file)$/.test(t.type); }
    return t.isContentEditable || /^(TEXTAREA|SELECT)$/.test(t.tagName);
  }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) { return; }
    var el = document.querySelector('[data-key="' + (e.key || "").toLowerCase() + '"]');
    if (!el || el.disabled) { return; }
    e.preventDefault();
    if (el.tagName === "INPUT") { el.focus(); el.select(); } else { el.click(); }
  });

  // -- procedure search ---------------------------------------------------------------------
  var pick = document.getElementById("pick");
  var results = document.getElementById("pick-results");
  if (pick && results) {
    var active = -1;
    var timer = null;
    var seq = 0;

    var options = function () { return results.querySelectorAll("[role=option]"); };

    var select = function (i) {
      var all = options();
      if (!all.length) { active = -1; pick.removeAttribute("aria-activedescendant"); return; }
      active = (i + all.length) % all.length;
      for (var k = 0; k < all.length; k++) { all[k].setAttribute("aria-selected", k === active ? "true" : "false"); }
      pick.setAttribute("aria-activedescendant", all[active].id);
      all[active].scrollIntoView({ block: "nearest" });
    };

    // The server's list is plain links (usable without JS); as a listbox its options are not
    // focusable themselves: focus stays in the search box, the active option is announced.
    var adopt = function () {
      var links = results.querySelectorAll("a.hit");
      active = -1;
      pick.removeAttribute("aria-activedescendant");
      if (!links.length) {
        pick.setAttribute("aria-expanded", "false");
        pick.removeAttribute("aria-controls");
        return;
      }
      var list = document.createElement("ul");
      list.className = "hits";
      list.id = "pick-hits";
      list.setAttribute("role", "listbox");
      list.setAttribute("aria-label", pick.getAttribute("placeholder") || "");
      for (var i = 0; i < links.length; i++) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        li.id = "pick-opt-" + i;
        li.setAttribute("aria-selected", "false");
        li.setAttribute("data-href", links[i].getAttribute("href"));
        li.innerHTML = links[i].innerHTML;
        list.appendChild(li);
      }
      var old = results.querySelector("ul.hits");
      old.parentNode.replaceChild(list, old);
      pick.setAttribute("aria-controls", "pick-hits");
      pick.setAttribute("aria-expanded", "true");
    };

    var open = function (option) {
      if (option) { window.location.href = option.getAttribute("data-href"); }
    };

    var search = function () {
      var q = pick.value;
      var field = pick.getAttribute("data-field") || "";
      if (!q.trim() && !field) { results.innerHTML = ""; adopt(); return; }
      var params = new URLSearchParams({ q: q });
      if (field) { params.set("field", field); }
      var ticket = document.querySelector("#pick-form input[name=ticket]");
      if (ticket) { params.set("ticket", ticket.value); }
      var mine = ++seq;
      var xhr = new XMLHttpRequest();
      xhr.open("GET", root.getAttribute("data-search") + "?" + params.toString(), true);
      xhr.onload = function () {
        if (mine !== seq) { return; }  // an answer to an older keystroke
        if (xhr.responseURL && xhr.responseURL.indexOf(root.getAttribute("data-search")) === -1) {
          window.location.reload();  // the session ended: show the login page whole
          return;
        }
        if (xhr.status === 200) { results.innerHTML = xhr.responseText; adopt(); }
      };
      xhr.send();
    };

    // A combobox only with this script: without it the box is a plain search field.
    pick.setAttribute("role", "combobox");
    pick.setAttribute("aria-autocomplete", "list");
    adopt();
    pick.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(search, 120);
    });
    pick.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { e.preventDefault(); select(active + 1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); select(active - 1); }
      else if (e.key === "Escape") { results.innerHTML = ""; adopt(); }
      else if (e.key === "Enter") {
        var all = options();
        // Enter opens the chosen hit, or the first one; with no list yet the form searches.
        if (all.length) { e.preventDefault(); open(all[active >= 0 ? active : 0]); }
      }
    });
    results.addEventListener("click", function (e) {
      var option = e.target.closest ? e.target.closest("[role=option]") : null;
      if (option) { open(option); }
    });
  }

  // -- the receipt form -----------------------------------------------------------------------
  var form = document.getElementById("receipt-form");
  if (!form) { return; }
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  var submit = document.getElementById("submit-receipt");
  var phone = document.getElementById("id_applicant_phone");
  var idNumber = document.getElementById("id_applicant_id_number");
  var status = document.getElementById("lookup-status");
  var lookupUrl = root.getAttribute("data-lookup");
  var fields = ["applicant_kind", "applicant_name", "applicant_phone", "applicant_email",
    "applicant_address", "applicant_id_number"];
  var lastLookup = "";

  var say = function (text, isError) {
    status.hidden = !text;
    status.textContent = text || "";
    status.className = isError ? "note error" : "note";
  };

  var fill = function (applicant) {
    fields.forEach(function (name) {
      var input = document.getElementById("id_" + name);
      // What the officer typed is kept; only empty fields are filled.
      if (input && applicant[name] && (!input.value || input.tagName === "SELECT")) { input.value = applicant[name]; }
    });
  };

  var lookup = function (then) {
    var params = new URLSearchParams();
    if (idNumber.value.trim()) { params.set("id_number", idNumber.value); }
    else if (phone.value.trim()) { params.set("phone", phone.value); }
    else { if (then) { then(); } return; }
    var key = params.toString();
    if (key === lastLookup) { if (then) { then(); } return; }
    lastLookup = key;
    var xhr = new XMLHttpRequest();
    xhr.open("GET", lookupUrl + "?" + key, true);
    xhr.onload = function () {
      var data = {};
      try { data = JSON.parse(xhr.responseText); } catch (err) { data = {}; }
      if (data.found) {
        fill(data.applicant);
        var text = data.message;
        if (!data.applicant.applicant_id_number && data.applicant.masked_id) {
          text += " " + root.getAttribute("data-masked-hint").replace("%s", data.applicant.masked_id);
        }
        say(text, false);
      } else {
        say(data.error || data.message || "", !!data.error);
      }
      if (then) { then(); }
    };
    xhr.onerror = function () { if (then) { then(); } };
    xhr.send();
  };

  // Enter in the applicant's boxes moves on to the next one still empty, then to the checklist:
  // the receipt is recorded only by "Ghi nhận" (or G), never by an Enter meant to move on.
  var order = ["id_applicant_phone", "id_applicant_id_number", "id_applicant_name",
    "id_applicant_address"];
  var nextEmpty = function (from) {
    for (var i = order.indexOf(from.id) + 1; i < order.length; i++) {
      var el = document.getElementById(order[i]);
      if (el && !el.value) { return el; }
    }
    return form.querySelector(".checklist input[type=checkbox]") || submit;
  };

  [phone, idNumber].forEach(function (input) {
    if (!input) { return; }
    input.addEventListener("change", function () { lookup(); });
  });
  form.addEventListener("keydown", function (e) {
    var t = e.target;
    if (e.key !== "Enter" || t.tagName !== "INPUT") { return; }
    if (/^(checkbox|radio|file|submit|button)$/.test(t.type)) { return; }
    e.preventDefault();
    if (t === phone || t === idNumber) {
      lookup(function () { nextEmpty(t).focus(); });
    } else if (order.indexOf(t.id) !== -1 || t.closest(".applicant")) {
      nextEmpty(t).focus();
    }
  });
  var find = document.getElementById("find-applicant");
  if (find) {
    find.addEventListener("click", function (e) { e.preventDefault(); lastLookup = ""; lookup(); });
  }
  form.addEventListener("submit", function () {
    // One receipt per press, even on a slow network.
    window.setTimeout(function () { submit.disabled = true; }, 0);
  });

  // In the checklist, ↑/↓ go from document to document (to its tick box), past the counts and
  // the scan button that Tab walks through.
  var checklist = form.querySelector(".checklist");
  if (checklist) {
    checklist.addEventListener("keydown", function (e) {
      if (e.key !== "ArrowDown" && e.key !== "ArrowUp") { return; }
      var t = e.target;
      if (t.type === "number") { return; }  // the arrows change the count there
      var row = t.closest("li.doc");
      var next = row && (e.key === "ArrowDown" ? row.nextElementSibling : row.previousElementSibling);
      var box = next && next.querySelector("input[type=checkbox]");
      if (box) { e.preventDefault(); box.focus(); }
    });
  }

  // -- scans: a thumbnail (image) or an icon (PDF), with name and size ------------------------
  var sizeText = function (bytes) {
    if (bytes >= 1024 * 1024) { return numberFormat.format(bytes / (1024 * 1024)) + " MB"; }
    return numberFormat.format(Math.max(1, Math.round(bytes / 1024))) + " KB";
  };
  form.querySelectorAll("input[type=file]").forEach(function (input) {
    input.addEventListener("change", function () {
      var list = document.getElementById(input.getAttribute("aria-describedby"));
      list.innerHTML = "";
      Array.prototype.forEach.call(input.files, function (file) {
        var li = document.createElement("li");
        var text = document.createElement("span");
        var name = document.createElement("span");
        name.className = "name";
        name.textContent = file.name;
        text.appendChild(name);
        text.appendChild(document.createTextNode(sizeText(file.size)));
        if (/^image\//.test(file.type)) {
          var img = document.createElement("img");
          img.alt = "";
          var reader = new FileReader();
          // A data: URL: the page's CSP allows images from data:, not from blob:.
          reader.onload = function () { img.src = reader.result; };
          reader.readAsDataURL(file);
          li.appendChild(img);
        } else {
          var icon = document.createElement("span");
          icon.className = "icon";
          icon.setAttribute("aria-hidden", "true");
          icon.textContent = (file.name.split(".").pop() || "").toUpperCase().slice(0, 4);
          li.appendChild(icon);
        }
        li.appendChild(text);
        list.appendChild(li);
      });
      // A scanned document has been handed in: tick it.
      var box = document.getElementById(input.getAttribute("data-doc"));
      if (box && input.files.length) { box.checked = true; }
    });
  });
})();
