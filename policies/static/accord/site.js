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
    // The form's address names the summary (#error-summary-…), so the browser scrolls there
    // too; focus again once it has, as its fragment handling may have moved the focus.
    summary.focus();
    window.addEventListener("load", function () {
      if (!document.activeElement || document.activeElement === document.body) summary.focus();
    });
    document.querySelectorAll("[data-error-summary]").forEach(function (box) {
      box.addEventListener("click", toField);
    });
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

  // A link in an error summary moves to its field with the field's label or legend in view
  // (the browser would put the field at the very top, hiding the question it answers).
  function toField(event) {
    var link = event.target.closest("a[href^='#']");
    var field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    var fieldset = field.closest("fieldset");
    var label =
      document.querySelector("label[for='" + field.id + "']") ||
      (fieldset && fieldset.querySelector("legend"));
    (label || field).scrollIntoView();
    field.focus({ preventScroll: true });
  }
})();
