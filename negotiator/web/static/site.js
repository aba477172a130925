/* The pages' only script: print buttons, and focus on the first error or result after a post. */
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
  var first = document.getElementById("errors") || document.getElementById("whatif");
  if (first) {
    if (!first.hasAttribute("tabindex")) { first.setAttribute("tabindex", "-1"); }
    first.focus();
  }
});
