// Progressive enhancement only: every page works without this file.
// Adds the reader's local time beside each UTC timestamp.
(function () {
  var fmt;
  try {
    // The page's language (the interface language), not the browser's default.
    fmt = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
      dateStyle: "medium",
      timeStyle: "short",
    });
  } catch (e) {
    return;
  }
  document.querySelectorAll("time[data-localtime]").forEach(function (el) {
    var when = new Date(el.getAttribute("datetime"));
    if (isNaN(when)) return;
    var local = document.createElement("span");
    local.className = "localtime";
    // The label comes translated from the page (templates/includes/utc_time.html).
    var label = el.getAttribute("data-localtime") || "your time";
    local.textContent = " (" + label + ": " + fmt.format(when) + ")";
    el.after(local);
  });
})();


// After a post, the reader lands where the action was (the page scrolled there by the
// fragment in the form's address or the redirect's): a failed form's error summary takes the
// focus, so it is in view and read out; a message about an item is moved beside that item.
(function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    // The details holding a failed form is rendered open; focusing scrolls the summary in.
    summary.focus();
    return;
  }
  var list = document.querySelector("main ul.messages");
  var region = list && list.parentNode;
  var id = decodeURIComponent(location.hash.slice(1));
  var target = id && document.getElementById(id);
  if (!region || !target) return;
  region.classList.add("messages-region");
  region.setAttribute("tabindex", "-1");
  var inside = /^(LI|SECTION|ARTICLE|DIV)$/.test(target.tagName);
  if (inside) {
    target.insertBefore(region, target.firstChild);
  } else {
    target.parentNode.insertBefore(region, target);
  }
  region.focus();
})();
