// Move focus to a form's error summary when the page comes back with errors, so keyboard and
// screen-reader users start where the problems are listed.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
});

// MDT live screen: while a notes conflict is showing, autosave holds back. Saving this screen's
// text would be refused anyway (it carries the version it started from), and each refusal would
// redraw the warning under the writer's cursor. The merge button posts on its own, so it still
// goes; once it has, the warning is gone and autosave resumes from the merged version.
document.addEventListener("htmx:confirm", function (event) {
  var form = event.detail.elt;
  if (form.id === "case-notes" && form.querySelector("[data-conflict]")) {
    event.preventDefault();
  }
});
