// A task's page (templates/attendance/task_detail.html), for the office. Plain JS, no third-party code.
//
// Each submitted row has a small grade form (a select and a button) that works without this file. Here the
// select saves as soon as it changes: the form is POSTed with "Accept: application/json" and "已保存" is shown
// beside it; a refusal (400: the server's Chinese message) or a failure is shown there instead, and the select
// returns to the saved grade.
(function () {
  "use strict";
  var box = document.getElementById("assignees");
  if (!box) return;
  var msg = function (name) { return box.getAttribute("data-msg-" + name) || ""; };
  var graded = box.querySelector("[data-graded]");

  box.querySelectorAll("form[data-grade-form]").forEach(function (form) {
    var select = form.querySelector("select[name=grade]");
    var button = form.querySelector("button[type=submit]");
    var status = form.querySelector(".grade-status");
    var saved = select.value;
    if (button) button.hidden = true;

    function send() {
      if (!select.value || select.value === saved) return;
      var body = new FormData(form); // before disabling the select, which would leave it out
      status.textContent = msg("saving");
      status.className = "grade-status";
      select.disabled = true;
      fetch(form.action, {
        method: "POST", credentials: "same-origin", cache: "no-store",
        headers: { Accept: "application/json", "X-CSRFToken": form.elements.csrfmiddlewaretoken.value },
        body: body
      }).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          return { ok: response.ok, data: data };
        });
      }).then(function (answer) {
        select.disabled = false;
        if (!answer.ok) {
          var refusal = new Error(answer.data.error || "");
          refusal.refused = true;
          throw refusal;
        }
        if (!saved && graded) graded.textContent = Number(graded.textContent) + 1;
        saved = answer.data.grade;
        var empty = select.querySelector("option[value='']");
        if (empty) empty.remove();
        status.textContent = msg("saved");
        status.className = "grade-status ok";
      }).catch(function (error) {
        select.disabled = false;
        select.value = saved;
        status.textContent = (error.refused && error.message) || msg("failed");
        status.className = "grade-status error";
      });
    }

    select.addEventListener("change", send);
    form.addEventListener("submit", function (event) { event.preventDefault(); send(); });
  });
})();
