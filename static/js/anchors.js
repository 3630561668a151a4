/* A link to a folded action (a <details>, pages/conventions/_action.jinja), from the bar of
   actions or an address ending in #action-…, unfolds it. Without script the person opens it
   by its title. */
(function () {
  "use strict";
  function unfold(id) {
    var target = id && document.getElementById(id);
    if (target && target.tagName === "DETAILS") {
      target.open = true;
    }
  }
  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest("a[href^='#']") : null;
    if (link) {
      unfold(decodeURIComponent(link.getAttribute("href").slice(1)));
    }
  });
  window.addEventListener("hashchange", function () {
    unfold(decodeURIComponent(location.hash.slice(1)));
  });
  document.addEventListener("DOMContentLoaded", function () {
    unfold(decodeURIComponent(location.hash.slice(1)));
  });
})();
