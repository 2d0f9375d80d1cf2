// The page of an import job while it runs (templates/members/import_job.html): asks the job's status every
// second, moves the progress bar, and reloads the page once the job has stopped, so the server renders the
// result. The state lives in the database: a reload, or coming back later, shows where the job is.
(function () {
  "use strict";
  var box = document.querySelector("[data-import-status]");
  if (!box || !window.fetch) return;
  var url = box.getAttribute("data-import-status");
  var bar = box.querySelector("progress");
  var text = box.querySelector("[data-progress-text]");
  var label = box.querySelector("[data-status-label]");
  var total = document.querySelector("[data-total-rows]");
  var failures = 0;

  function show(state) {
    if (bar) {
      // no value: an indeterminate bar, while the file is read or the rows are written
      if (state.indeterminate) bar.removeAttribute("value");
      else bar.value = state.percent;
      bar.textContent = state.indeterminate ? "" : state.percent + "%";
    }
    if (text) text.textContent = state.progress_text;
    if (label) label.textContent = state.status_label;
    if (total && state.total_rows) total.textContent = state.total_rows;
  }

  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      })
      .then(function (state) {
        failures = 0;
        show(state);
        if (state.is_running) window.setTimeout(poll, 1000);
        else window.location.reload();
      })
      .catch(function () {
        // a network blip or a server restart: ask again, more slowly; a reload always works
        failures += 1;
        if (failures <= 30) window.setTimeout(poll, Math.min(10000, 1000 * failures));
      });
  }

  window.setTimeout(poll, 1000);
})();
