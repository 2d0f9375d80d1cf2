// Small progressive enhancements; every page works without them.
document.addEventListener("change", function (event) {
  var field = event.target;
  if (!field.matches("[data-autosubmit]") || !field.form) return;
  // Changing the college empties the class choice, which belongs to the old college.
  var dependent = field.getAttribute("data-clears");
  if (dependent && field.form.elements[dependent]) field.form.elements[dependent].value = "";
  field.form.submit();
});
