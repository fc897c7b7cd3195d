// The portal's own script: a session that ends never loses a half-filled form.
//
// A form marked data-keep-draft="<name>" is copied to this tab's sessionStorage
// as it is typed in. If posting it finds the session ended, the sign-in page
// brings the user back here, and the copy is put back into the form with a
// note to check it and save again. A page that confirms a change ("Saved")
// forgets the copies that were posted.
(function () {
  "use strict";
  var PREFIX = "portal-draft:";

  function key(form) { return PREFIX + location.pathname + ":" + form.dataset.keepDraft; }

  function fields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrf_token" && el.type !== "password" && el.type !== "file" &&
        el.type !== "hidden" && el.type !== "submit" && el.type !== "button";
    });
  }

  function save(form, posted) {
    var values = {};
    fields(form).forEach(function (el) {
      values[el.name] = (el.type === "checkbox" || el.type === "radio") ? (el.checked ? el.value : null) : el.value;
    });
    sessionStorage.setItem(key(form), JSON.stringify({ values: values, posted: !!posted }));
  }

  function restore(form) {
    var saved = sessionStorage.getItem(key(form));
    if (!saved) { return; }
    var draft = JSON.parse(saved);
    if (!draft.posted) { return; }
    var changed = false;
    fields(form).forEach(function (el) {
      if (!(el.name in draft.values)) { return; }
      var value = draft.values[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = value === el.value;
      } else if (value !== null && el.value !== value) {
        el.value = value; changed = true;
      }
    });
    sessionStorage.removeItem(key(form));
    if (changed) {
      var note = document.createElement("div");
      note.className = "usa-alert usa-alert--info usa-alert--slim margin-y-2";
      note.setAttribute("role", "status");
      note.innerHTML = '<div class="usa-alert__body"><p class="usa-alert__text">We kept what you had typed before your session ended. Check it and save again.</p></div>';
      form.parentNode.insertBefore(note, form);
    }
  }

  function forgetPosted() {
    for (var i = sessionStorage.length - 1; i >= 0; i--) {
      var k = sessionStorage.key(i);
      if (k && k.indexOf(PREFIX) === 0 && JSON.parse(sessionStorage.getItem(k)).posted) {
        sessionStorage.removeItem(k);
      }
    }
  }

  function wire(root) {
    Array.prototype.forEach.call(root.querySelectorAll("form[data-keep-draft]"), function (form) {
      if (form.dataset.draftWired) { return; }
      form.dataset.draftWired = "1";
      // A form the server sent back with its errors already holds what was typed.
      if (!form.querySelector(".usa-form-group--error")) { restore(form); }
      form.addEventListener("input", function () { save(form, false); });
      form.addEventListener("submit", function () { save(form, true); });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (document.querySelector("[data-notice]")) { forgetPosted(); }
    wire(document);
  });
  document.addEventListener("htmx:load", function (event) { wire(event.target); });
})();
