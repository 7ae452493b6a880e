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
    if (tag && !names[tag]) tag = null;  // an unknown tag in the address filters nothing
    var shown = 0;
    document.querySelectorAll("li.event").forEach(function (item) {
      var keep = !tag || (" " + item.dataset.tags + " ").indexOf(" " + tag + " ") >= 0;
      item.hidden = !keep;
      if (keep) shown += 1;
    });
    document.querySelectorAll("section.year, section.era").forEach(function (section) {
      section.hidden = !section.querySelector("li.event:not([hidden])");
    });
    document.querySelectorAll(".year-nav a").forEach(function (link) {
      var heading = document.getElementById(link.getAttribute("href").slice(1));
      link.parentElement.hidden = !!(heading && heading.closest("section.year").hidden);
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

  // A deep link to an entry the filter hides shows everything again, so the link still leads somewhere.
  function reveal() {
    var target = location.hash && document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target && target.closest("[hidden]")) {
      history.replaceState({ tag: null }, "", location.pathname + location.hash);
      apply(null);
      target.scrollIntoView();
    }
  }

  window.addEventListener("popstate", function () { apply(current()); });
  window.addEventListener("hashchange", reveal);
  apply(current());
  reveal();
})();
