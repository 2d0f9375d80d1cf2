// Small progressive enhancements; every page works without them.
document.addEventListener("change", function (event) {
  var field = event.target;
  if (!field.matches("[data-autosubmit]") || !field.form) return;
  // Changing the college empties the class choice, which belongs to the old college.
  var dependent = field.getAttribute("data-clears");
  if (dependent && field.form.elements[dependent]) field.form.elements[dependent].value = "";
  field.form.submit();
});

// A form marked data-submit-once sends once: its buttons are disabled on submit (the server refuses a repeat too).
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.matches("[data-submit-once]")) return;
  if (form.getAttribute("data-sent")) {
    event.preventDefault();
    return;
  }
  form.setAttribute("data-sent", "1");
  window.setTimeout(function () {
    form.querySelectorAll("button[type=submit]").forEach(function (button) { button.disabled = true; });
  }, 0);
});
