// Form helpers driven by data attributes (no inline script; every form works without this file).
//
// * data-show-when="audience=department kind=department" on a field: its row is shown only while one of the
//   named fields of the same form has one of the named values (the server ignores the field otherwise).
// * data-follows="starts_at" on a datetime-local field (the end): when the start changes, the end moves with
//   it and keeps the duration; an end not after the start is refused by the browser with data-msg-order
//   (the server refuses it too, with the same message).
(function () {
  "use strict";

  // --- rows shown only when the chosen kind or audience needs them ---
  var conditional = Array.prototype.slice.call(document.querySelectorAll("[data-show-when]"));

  function valueOf(form, name) {
    var field = form.elements[name];
    return field ? field.value : null;
  }

  function refresh() {
    conditional.forEach(function (field) {
      var form = field.form;
      var row = field.closest(".form-row") || field;
      var shown = field.getAttribute("data-show-when").split(/\s+/).some(function (condition) {
        var pair = condition.split("=");
        return valueOf(form, pair[0]) === pair[1];
      });
      row.hidden = !shown;
    });
  }

  if (conditional.length) {
    refresh();
    document.addEventListener("change", function (event) {
      if (event.target.form) refresh();
    });
  }

  // --- the end follows the start ---
  // datetime-local values ("2026-12-07T19:00") are read and written as UTC, so no local clock change can
  // shift them: only their difference matters.
  function parse(value) {
    var m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value || "");
    return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5]) : null;
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function format(ms) {
    var d = new Date(ms);
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) + "T" +
      pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes());
  }

  document.querySelectorAll("[data-follows]").forEach(function (end) {
    var start = end.form && end.form.elements[end.getAttribute("data-follows")];
    if (!start) return;
    var message = end.getAttribute("data-msg-order") || "";
    var previous = parse(start.value);

    function check() {
      var s = parse(start.value), e = parse(end.value);
      end.setCustomValidity(s !== null && e !== null && e <= s ? message : "");
      if (s !== null) end.min = start.value;
    }

    start.addEventListener("change", function () {
      var s = parse(start.value), e = parse(end.value);
      if (s !== null && e !== null && previous !== null && e > previous) end.value = format(s + (e - previous));
      else if (s !== null && (e === null || e <= s)) end.value = format(s + 60 * 60 * 1000);
      previous = s;
      check();
    });
    end.addEventListener("change", check);
    end.addEventListener("input", check);
    check();
  });
})();
