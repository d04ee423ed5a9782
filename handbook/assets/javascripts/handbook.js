/*
 * Handbook page helpers (mkdocs.yml extra_javascript; both builds load it).
 *
 * 1. A table too wide for the screen scrolls sideways inside its wrapper
 *    (.md-typeset__scrollwrap). A keyboard user can only scroll what can take
 *    focus, so such a wrapper becomes a named, focusable region (WCAG 2.1.1;
 *    axe rule scrollable-region-focusable). Checked again when the window is
 *    resized: a wrapper that no longer scrolls leaves the tab order.
 * 2. Zensical draws its search dialog in a shadow root, where handbook.css
 *    cannot reach: the same contrast fixes are added to that shadow root
 *    (result path and highlighted term at 4.5:1 or more, light and dark).
 */
(function () {
  "use strict";

  function tableName(wrapper) {
    var headers = Array.prototype.map.call(
      wrapper.querySelectorAll("thead th"),
      function (th) { return th.textContent.trim(); }
    ).filter(Boolean);
    var heading = null;
    for (var node = wrapper.previousElementSibling; node; node = node.previousElementSibling) {
      if (/^H[1-6]$/.test(node.tagName)) { heading = node; break; }
    }
    var title = heading ? heading.textContent.replace(/\u00b6/g, "").trim() : "";
    var name = "Table" + (headers.length ? " of " + headers.join(", ") : "");
    return name + (title ? " (" + title + ")" : "") + ", scrolls sideways";
  }

  function markScrollableTables() {
    var wrappers = document.querySelectorAll(".md-typeset__scrollwrap, .md-typeset__table");
    Array.prototype.forEach.call(wrappers, function (wrapper) {
      // Material nests .md-typeset__table in .md-typeset__scrollwrap: use the scrolling one.
      var scrolls = wrapper.scrollWidth > wrapper.clientWidth + 1;
      if (scrolls) {
        wrapper.setAttribute("tabindex", "0");
        wrapper.setAttribute("role", "region");
        wrapper.setAttribute("aria-label", tableName(wrapper));
        wrapper.setAttribute("data-hb-scrolls", "");
      } else if (wrapper.hasAttribute("data-hb-scrolls")) {
        wrapper.removeAttribute("tabindex");
        wrapper.removeAttribute("role");
        wrapper.removeAttribute("aria-label");
        wrapper.removeAttribute("data-hb-scrolls");
      }
    });
  }

  var SHADOW_CSS =
    /* The page each result is on (its path) and the "more on this page" lines. */
    ".h, .h li, .f { color: rgb(var(--color-foreground) / .87) !important; }" +
    /* The filters' group headings ("Tags"), drawn at half opacity. */
    ".X { opacity: 1 !important; color: rgb(var(--color-foreground) / .87) !important; }" +
    /* The search term: the text's own colour, told apart by weight and underline. */
    ".o mark { color: inherit !important; font-weight: 700; }" +
    /* The results list scrolls: let it take focus (the results are options, not tab stops). */
    ".k { outline-offset: -2px; }";

  function styleShadowSearch(host) {
    var root = host.shadowRoot;
    if (!root || root.querySelector("style[data-hb]")) return;
    var style = document.createElement("style");
    style.setAttribute("data-hb", "");
    style.textContent = SHADOW_CSS;
    root.appendChild(style);
    fixShadowList(root);
    new MutationObserver(function () { fixShadowList(root); }).observe(root, { childList: true, subtree: true });
  }

  function fixShadowList(root) {
    Array.prototype.forEach.call(root.querySelectorAll(".k[tabindex='-1']"), function (list) {
      list.setAttribute("tabindex", "0");
      if (!list.hasAttribute("aria-label")) list.setAttribute("aria-label", "Search results");
    });
  }

  function watchShadowSearch() {
    Array.prototype.forEach.call(document.body.children, styleShadowSearch);
    new MutationObserver(function (records) {
      records.forEach(function (record) {
        Array.prototype.forEach.call(record.addedNodes, function (node) {
          if (node.nodeType === 1) styleShadowSearch(node);
        });
      });
    }).observe(document.body, { childList: true });
  }

  function start() {
    markScrollableTables();
    // The themes wrap tables in their scrolling wrapper from their own scripts.
    window.addEventListener("load", markScrollableTables);
    watchShadowSearch();
    var timer = null;
    window.addEventListener("resize", function () {
      clearTimeout(timer);
      timer = setTimeout(markScrollableTables, 100);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
