// Move focus to a form's error summary when the page comes back with errors, so keyboard and
// screen-reader users start where the problems are listed.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
});
