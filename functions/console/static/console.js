// The console's only script (besides htmx): a confirmation before forms marked data-confirm are sent.
// No inline handlers anywhere: the Content-Security-Policy allows scripts from this origin only.
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form && form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});
