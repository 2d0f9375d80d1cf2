// The attendance page (templates/attendance/meeting_detail.html). Plain JS, no third-party code.
//
// * The search box filters the list instantly (name or number).
// * For the office: a click on a status button, or a key on a focused row (1–5 or P/L/E/V/A; ↑↓ move), marks
//   a person. Each mark is kept in localStorage first (per meeting), then POSTed as JSON to the marks URL,
//   one at a time in order; a saved mark leaves localStorage. A network or server failure keeps the mark,
//   shows it on the row and retries with a growing delay (and on the row's button); a refusal (400: the
//   server's Chinese message) is shown on the row and the row returns to its saved state. Marks still in
//   localStorage when the page is opened again are replayed, so closing the page loses nothing.
// * Each mark carries the row's version the page showed. If another user changed the row since (409), the row
//   shows what the server holds now, says so, and offers to apply this user's mark again (on the new version).
// * A refused or out-of-date mark stays flagged on its row, with the reason, until a mark of that row is saved;
//   the status line counts them ("2 条未保存…") whatever else is saved meanwhile.
// * A row's changes (修改记录 N 条) are loaded from the history URL when the row's list is first opened; a save
//   adds one to the count, and reloads the list if it was loaded.
// * The office's controls (five status buttons, the late-minutes and error panels) are in the page once, in
//   <template id="att-controls">, and copied into each row at start; every handler is delegated to the list.
(function () {
  "use strict";
  var box = document.getElementById("attendance");
  if (!box) return;
  var list = document.getElementById("att-list");
  var rows = Array.prototype.slice.call(list.querySelectorAll(".att-row"));
  var byPerson = {};
  rows.forEach(function (row) {
    byPerson[row.getAttribute("data-person")] = row;
    row.tabIndex = 0; // focusable: the search's Enter and ↑↓ move between rows, keys mark the focused one
  });
  var statusLine = document.getElementById("att-status");
  var msg = function (name, n) {
    return (box.getAttribute("data-msg-" + name) || "").replace("%(n)s", function () { return n; });
  };

  // --- a row's changes: loaded when its list is opened (for the read-only view too) ---
  var historyUrl = box.getAttribute("data-history-url");
  function loadHistory(details) {
    var row = details.closest(".att-row");
    var ul = details.querySelector(".att-changes");
    if (!ul) {
      ul = document.createElement("ul");
      ul.className = "att-changes";
      details.appendChild(ul);
    }
    var asked = (Number(details.getAttribute("data-asked")) || 0) + 1;
    details.setAttribute("data-asked", asked);
    fetch(historyUrl.replace("/0/changes/", "/" + row.getAttribute("data-person") + "/changes/"), {
      credentials: "same-origin", cache: "no-store", headers: { Accept: "text/html" }
    }).then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.text();
    }).then(function (html) {
      if (Number(details.getAttribute("data-asked")) !== asked) return; // a newer load is on its way
      ul.innerHTML = html; // our own server-rendered, escaped fragment
      details.setAttribute("data-loaded", "1");
      setHistoryCount(details, ul.children.length);
    }).catch(function () {
      if (Number(details.getAttribute("data-asked")) !== asked) return;
      details.removeAttribute("data-loaded");
      ul.textContent = "";
      var li = document.createElement("li");
      li.textContent = msg("history-failed");
      ul.appendChild(li);
    });
  }
  function setHistoryCount(details, n) {
    details.hidden = n === 0;
    var summary = details.querySelector("summary");
    summary.textContent = summary.textContent.replace(/\d+/, n);
  }
  // "toggle" does not bubble: listened to in the capture phase, once for the whole list
  list.addEventListener("toggle", function (event) {
    var details = event.target;
    if (details.classList && details.classList.contains("att-history") && details.open &&
        !details.hasAttribute("data-loaded")) loadHistory(details);
  }, true);

  // --- search: instant, client-side ---
  var filter = document.getElementById("att-filter");
  var noMatch = box.querySelector(".att-nomatch");
  if (filter) {
    filter.addEventListener("input", function () {
      var q = filter.value.trim().toLowerCase();
      var shown = 0;
      rows.forEach(function (row) {
        var hit = !q || row.getAttribute("data-search").indexOf(q) !== -1;
        row.hidden = !hit;
        if (hit) shown += 1;
      });
      if (noMatch) noMatch.hidden = shown !== 0;
    });
    filter.addEventListener("keydown", function (event) {
      // Enter in the search box jumps to the first person found
      if (event.key !== "Enter" && event.key !== "ArrowDown") return;
      var first = rows.filter(function (row) { return !row.hidden; })[0];
      if (first) { event.preventDefault(); first.focus(); }
    });
  }

  var url = box.getAttribute("data-marks-url");
  if (!url) return; // read-only
  var meeting = box.getAttribute("data-meeting");
  var threshold = box.getAttribute("data-threshold");
  var storeKey = "attendance:pending:" + meeting;
  var csrf = (box.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";
  var controls = document.getElementById("att-controls").content;
  var LABELS = {};
  Array.prototype.forEach.call(controls.querySelectorAll("[data-mark]"), function (b) {
    LABELS[b.getAttribute("data-mark")] = b.textContent;
  });
  var KEYS = { "1": "present", p: "present", "2": "late", l: "late", "3": "early_leave", e: "early_leave",
    "4": "leave", v: "leave", "5": "absent", a: "absent" };

  // --- the pending marks (localStorage) ---
  function loadPending() {
    try { return JSON.parse(window.localStorage.getItem(storeKey) || "{}") || {}; } catch (e) { return {}; }
  }
  var pending = loadPending();
  function savePending() {
    try {
      if (Object.keys(pending).length) window.localStorage.setItem(storeKey, JSON.stringify(pending));
      else window.localStorage.removeItem(storeKey);
    } catch (e) { /* private mode: the queue still works while the page is open */ }
  }

  // --- how a row looks ---
  function countAll() {
    var counts = {};
    rows.forEach(function (row) {
      var s = row.getAttribute("data-status");
      counts[s] = (counts[s] || 0) + 1;
    });
    box.querySelectorAll("[data-count]").forEach(function (dd) {
      dd.textContent = counts[dd.getAttribute("data-count")] || 0;
    });
  }

  function show(row, status, minutes, asAbsence) {
    row.className = row.className.replace(/\bst-[a-z_]+/g, "").trim() + " st-" + status;
    row.setAttribute("data-status", status);
    row.setAttribute("data-late", minutes == null ? "" : minutes);
    var text = LABELS[status] || (status === "unmarked" ? "" : status);
    if (status === "late" && minutes != null) text += " " + msg("late-unit", minutes);
    if (status === "unmarked") text = msg("unmarked");
    row.querySelector(".att-badge").textContent = text;
    row.querySelector(".att-note").textContent = asAbsence ? msg("late-absence", threshold) : "";
    row.querySelectorAll("[data-mark]").forEach(function (b) {
      b.setAttribute("aria-pressed", b.getAttribute("data-mark") === status ? "true" : "false");
    });
    countAll();
  }

  function setState(row, state, text) {
    var problem = state === "refused" || state === "stale";
    row.classList.toggle("is-saving", state === "saving");
    row.classList.toggle("is-failed", state === "failed");
    row.classList.toggle("is-refused", problem);
    var err = row.querySelector(".att-error");
    err.hidden = state !== "failed" && !problem;
    row.querySelector(".att-error-text").textContent = text || "";
    row.querySelector(".retry").hidden = state !== "failed";
    row.querySelector(".apply").hidden = state !== "stale";
  }

  // The rows whose last mark was refused or out of date (person → reason): flagged until one of their marks
  // is saved, and counted at the head of the status line.
  var problems = {};
  function announce(text) {
    var n = Object.keys(problems).length;
    var parts = n ? [msg("refused", n)] : [];
    if (text) parts.push(text);
    statusLine.textContent = parts.join(" · ");
    statusLine.classList.toggle("has-problems", n > 0);
  }

  // What the server holds for a row (after a save, or as a 409 tells it).
  function remember(row, saved) {
    row.setAttribute("data-saved-status", saved.status);
    row.setAttribute("data-saved-late", saved.late_minutes == null ? "" : saved.late_minutes);
    row.setAttribute("data-saved-absence", saved.late_as_absence ? "1" : "");
    row.setAttribute("data-saved-version", saved.version);
  }
  function showSaved(row) {
    show(row, row.getAttribute("data-saved-status"), row.getAttribute("data-saved-late") || null,
      row.getAttribute("data-saved-absence") === "1");
  }

  // A save made a change: one more in the row's count; a list already loaded is loaded again (with it).
  function addHistory(row) {
    var details = row.querySelector(".att-history");
    var shown = details.querySelector("summary").textContent.match(/\d+/);
    setHistoryCount(details, (shown ? Number(shown[0]) : 0) + 1);
    if (details.hasAttribute("data-loaded")) loadHistory(details);
  }

  // --- the queue: one request at a time, in order; failures retried with a growing delay ---
  var busy = false, delay = 0, timer = null;

  function unsavedNote() {
    var n = Object.keys(pending).length;
    if (n && delay) announce(msg("unsaved", n) + " · " + msg("failed"));
  }

  function flush() {
    if (busy) return;
    var people = Object.keys(pending);
    if (!people.length) { delay = 0; return; }
    var person = people[0];
    var mark = pending[person];
    var row = byPerson[person];
    if (!row) { delete pending[person]; savePending(); flush(); return; }
    busy = true;
    setState(row, "saving");
    var before = { status: row.getAttribute("data-saved-status"), minutes: row.getAttribute("data-saved-late") };
    fetch(url, {
      method: "POST", credentials: "same-origin", cache: "no-store",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
      body: JSON.stringify({ marks: [{ person: Number(person), status: mark.status, late_minutes: mark.late_minutes,
        version: mark.version == null ? undefined : mark.version }] })
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { status: response.status, data: data };
      });
    }).then(function (answer) {
      busy = false;
      var current = pending[person];
      var same = current && current.status === mark.status && current.late_minutes === mark.late_minutes;
      var name = row.querySelector(".att-name").textContent;
      if (answer.status === 200) {
        delay = 0;
        var saved = answer.data.rows[0];
        if (same) delete pending[person];
        // a newer mark of the row, made on the version this save replaced, now stands on the saved one
        else if (current && current.version === mark.version) current.version = saved.version;
        savePending();
        if (saved.status !== before.status || String(saved.late_minutes == null ? "" : saved.late_minutes) !==
            (before.minutes || "")) {
          addHistory(row);
        }
        remember(row, saved);
        if (same) {
          delete problems[person];
          show(row, saved.status, saved.late_minutes, saved.late_as_absence);
          setState(row, "ok");
          announce(saved.late_as_absence ? name + "：" + msg("late-absence", answer.data.threshold) : msg("saved"));
        }
        flush();
      } else if (answer.status === 409 && answer.data.stale && answer.data.stale.length) {
        // another user changed the row since the page showed it: show theirs, offer to apply this one again
        if (same) delete pending[person];
        savePending();
        remember(row, answer.data.stale[0]);
        showSaved(row);
        problems[person] = answer.data.error;
        setState(row, "stale", answer.data.error);
        var apply = row.querySelector(".apply");
        var label = (LABELS[mark.status] || mark.status) +
          (mark.status === "late" && mark.late_minutes != null ? " " + msg("late-unit", mark.late_minutes) : "");
        apply.textContent = msg("apply", label);
        apply.setAttribute("data-status", mark.status);
        apply.setAttribute("data-late", mark.late_minutes == null ? "" : mark.late_minutes);
        announce(name + "：" + answer.data.error);
        flush();
      } else if (answer.status >= 400 && answer.status < 500 && answer.status !== 408 && answer.status !== 429) {
        // refused: nothing saved; the row returns to what the server holds, flagged with the reason
        if (same) delete pending[person];
        savePending();
        showSaved(row);
        var text = answer.data.error || ("HTTP " + answer.status);
        problems[person] = text;
        setState(row, "refused", text);
        announce(name + "：" + text);
        flush();
      } else {
        retryLater(row, "HTTP " + answer.status);
      }
    }).catch(function () {
      busy = false;
      retryLater(row, "");
    });
  }

  function retryLater(row, detail) {
    delay = Math.min(30000, delay ? delay * 2 : 1000);
    Object.keys(pending).forEach(function (p) { if (byPerson[p]) setState(byPerson[p], "failed", msg("failed")); });
    unsavedNote();
    window.clearTimeout(timer);
    timer = window.setTimeout(flush, delay);
    if (detail) row.setAttribute("data-last-error", detail);
  }

  function retryNow() {
    window.clearTimeout(timer);
    delay = 0;
    flush();
  }

  function mark(row, status, minutes) {
    var person = row.getAttribute("data-person");
    pending[person] = { status: status, late_minutes: minutes == null ? null : minutes,
      version: Number(row.getAttribute("data-saved-version")) };
    savePending();
    show(row, status, minutes, false);
    setState(row, "saving");
    if (!busy && !delay) flush();
  }

  // --- late: ask the minutes in the row ---
  function askLate(row) {
    var ask = row.querySelector(".att-late");
    ask.hidden = false;
    var input = ask.querySelector(".late-input");
    input.value = row.getAttribute("data-late") || "";
    input.focus();
  }
  function confirmLate(row) {
    var ask = row.querySelector(".att-late");
    var value = ask.querySelector(".late-input").value.trim();
    if (value === "") { ask.querySelector(".late-input").focus(); return; }
    ask.hidden = true;
    mark(row, "late", Number(value));
    row.focus();
  }

  list.addEventListener("click", function (event) {
    var row = event.target.closest(".att-row");
    if (!row) return;
    var button = event.target.closest("button");
    if (!button) return;
    if (button.hasAttribute("data-mark")) {
      var status = button.getAttribute("data-mark");
      if (status === "late") askLate(row);
      else { row.querySelector(".att-late").hidden = true; mark(row, status); }
    } else if (button.classList.contains("late-ok")) confirmLate(row);
    else if (button.classList.contains("late-cancel")) { row.querySelector(".att-late").hidden = true; row.focus(); }
    else if (button.classList.contains("retry")) retryNow();
    else if (button.classList.contains("apply")) {
      var late = button.getAttribute("data-late");
      mark(row, button.getAttribute("data-status"), late === "" ? null : Number(late));
    }
  });

  list.addEventListener("keydown", function (event) {
    var row = event.target.closest(".att-row");
    if (!row) return;
    if (event.target.classList.contains("late-input")) {
      if (event.key === "Enter") { event.preventDefault(); confirmLate(row); }
      if (event.key === "Escape") { row.querySelector(".att-late").hidden = true; row.focus(); }
      return;
    }
    if (event.target !== row || event.ctrlKey || event.metaKey || event.altKey) return;
    var key = event.key.toLowerCase();
    if (key === "arrowdown" || key === "arrowup" || key === "j" || key === "k") {
      var visible = rows.filter(function (r) { return !r.hidden; });
      var next = visible[visible.indexOf(row) + (key === "arrowdown" || key === "j" ? 1 : -1)];
      if (next) { event.preventDefault(); next.focus(); }
      return;
    }
    var status = KEYS[key];
    if (!status) return;
    event.preventDefault();
    if (status === "late") { askLate(row); return; }
    mark(row, status);
    var after = rows.filter(function (r) { return !r.hidden; });
    var following = after[after.indexOf(row) + 1];
    if (following) following.focus();
  });

  // --- start: each row gets its controls, remembers what the server holds; then what was not saved last time
  // is replayed ---
  rows.forEach(function (row) {
    var copy = controls.cloneNode(true);
    var group = copy.querySelector(".att-buttons");
    group.setAttribute("aria-label", msg("group", row.querySelector(".att-name").textContent));
    var pressed = group.querySelector('[data-mark="' + row.getAttribute("data-status") + '"]');
    if (pressed) pressed.setAttribute("aria-pressed", "true");
    row.insertBefore(copy, row.querySelector(".att-history"));
    row.setAttribute("data-saved-status", row.getAttribute("data-status"));
    row.setAttribute("data-saved-late", row.getAttribute("data-late") || "");
    row.setAttribute("data-saved-absence", row.getAttribute("data-absence") || "");
    row.setAttribute("data-saved-version", row.getAttribute("data-version"));
  });
  var restored = Object.keys(pending).filter(function (p) { return byPerson[p]; });
  restored.forEach(function (p) {
    show(byPerson[p], pending[p].status, pending[p].late_minutes, false);
    setState(byPerson[p], "saving");
  });
  if (restored.length) announce(msg("restored", restored.length));
  window.addEventListener("online", retryNow);
  flush();
})();
