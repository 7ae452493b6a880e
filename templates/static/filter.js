// Tag filter for the timeline index: a click on a tag filters the list and the axis in place,
// the address keeps the state (?tag=llama) and the back button works. Without JavaScript the
// same links simply lead to the tag pages.
(function () {
  "use strict";
  var status = document.getElementById("filter-status");
  if (!status || !window.history || !window.URLSearchParams) return;
  var names = {};

  function tagOf(link) {
    var match = /\/tags\/([^\/]+)\/?$/.exec(new URL(link.href, location.href).pathname);
    return match ? decodeURIComponent(match[1]) : null;
  }

  function apply(tag) {
    var shown = 0;
    document.querySelectorAll("li.event").forEach(function (item) {
      var keep = !tag || (" " + item.dataset.tags + " ").indexOf(" " + tag + " ") >= 0;
      item.hidden = !keep;
      if (keep) shown += 1;
    });
    document.querySelectorAll("section.year, section.era").forEach(function (section) {
      section.hidden = !section.querySelector("li.event:not([hidden])");
    });
    document.querySelectorAll(".axis .mark").forEach(function (mark) {
      var keep = !tag || (" " + mark.dataset.tags + " ").indexOf(" " + tag + " ") >= 0;
      mark.classList.toggle("is-dimmed", !keep);
      if (keep) mark.removeAttribute("tabindex"); else mark.setAttribute("tabindex", "-1");
    });
    if (tag) {
      status.querySelector(".filter-label").textContent =
        status.dataset.label.replace("{name}", names[tag] || tag).replace("{n}", shown);
    }
    status.hidden = !tag;
  }

  function current() {
    return new URLSearchParams(location.search).get("tag");
  }

  document.querySelectorAll("li.event a.tag").forEach(function (link) {
    var tag = tagOf(link);
    if (!tag) return;
    names[tag] = link.textContent;
    link.addEventListener("click", function (event) {
      if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey || event.button !== 0) return;
      event.preventDefault();
      history.pushState({ tag: tag }, "", "?tag=" + encodeURIComponent(tag) + "#contenu");
      apply(tag);
      status.focus();
    });
  });

  status.querySelector(".filter-clear").addEventListener("click", function (event) {
    event.preventDefault();
    history.pushState({ tag: null }, "", location.pathname);
    apply(null);
  });

  window.addEventListener("popstate", function () { apply(current()); });
  apply(current());
})();
