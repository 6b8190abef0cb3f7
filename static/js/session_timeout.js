// The warning before an idle session ends, and what was typed kept across signing in again
// (clinic/session_timeout.py). The box is drawn only on pages with a session to protect;
// the login page and the "link unavailable" page have none.
//
// A draft is saved in this tab's sessionStorage once the session has run out, under the
// page's path and the owner's opaque id. It is put back only when the same owner opens the
// same path after a page without a session (the login or link page) has shown that the
// session really ended; any other page load of the owner's drops it, and another owner's
// page drops it unseen.
(function () {
  "use strict";

  var PREFIX = "clinic-draft:";
  var MAX_AGE_MS = 12 * 60 * 60 * 1000;
  var FIELD_TAGS = ["INPUT", "SELECT", "TEXTAREA"];
  var SKIPPED_TYPES = ["password", "hidden", "file", "submit", "button", "reset", "image"];

  function sessionStore() {
    try {
      return window.sessionStorage;
    } catch (error) {
      return null; // storage blocked: the warning still works, nothing is kept
    }
  }

  function storedDrafts(store) {
    var found = [];
    for (var i = 0; i < store.length; i++) {
      var key = store.key(i);
      if (key && key.indexOf(PREFIX) === 0) {
        var draft = null;
        try {
          draft = JSON.parse(store.getItem(key));
        } catch (error) {
          draft = null;
        }
        found.push({ key: key, draft: draft });
      }
    }
    return found;
  }

  function isKept(field) {
    return (
      FIELD_TAGS.indexOf(field.tagName) !== -1 &&
      field.name &&
      field.name !== "csrfmiddlewaretoken" &&
      !field.disabled &&
      SKIPPED_TYPES.indexOf(field.type) === -1 &&
      field.autocomplete !== "one-time-code"
    );
  }

  function isChoice(field) {
    return field.type === "checkbox" || field.type === "radio" || field.type === "select-multiple";
  }

  function keptFields(form) {
    return Array.prototype.filter.call(form.elements, isKept);
  }

  function valuesOf(form) {
    var values = [];
    keptFields(form).forEach(function (field) {
      if (field.type === "checkbox" || field.type === "radio") {
        if (field.checked) {
          values.push({ name: field.name, value: field.value, chosen: true });
        }
      } else if (field.type === "select-multiple") {
        Array.prototype.forEach.call(field.selectedOptions, function (option) {
          values.push({ name: field.name, value: option.value, chosen: true });
        });
      } else if (field.value !== "") {
        values.push({ name: field.name, value: field.value });
      }
    });
    return values;
  }

  function announceChange(field) {
    field.dispatchEvent(new Event("input", { bubbles: true }));
    field.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // Only empty fields are filled, and only groups with nothing chosen: whatever the page
  // shows now (saved on the server since) wins over the draft.
  function restoreForm(form, values) {
    var fields = keptFields(form);
    var alreadyChosen = {};
    fields.forEach(function (field) {
      var chosen = field.type === "select-multiple"
        ? field.selectedOptions.length > 0
        : isChoice(field) && field.checked;
      if (chosen) {
        alreadyChosen[field.name] = true;
      }
    });
    var used = [];
    var restored = 0;
    values.forEach(function (entry) {
      var named = fields.filter(function (field) { return field.name === entry.name; });
      if (entry.chosen) {
        if (alreadyChosen[entry.name]) {
          return;
        }
        named.forEach(function (field) {
          if (field.type === "select-multiple") {
            Array.prototype.forEach.call(field.options, function (option) {
              if (option.value === entry.value && !option.selected) {
                option.selected = true;
                announceChange(field);
                restored++;
              }
            });
          } else if (isChoice(field) && field.value === entry.value && !field.checked) {
            field.checked = true;
            announceChange(field);
            restored++;
          }
        });
        return;
      }
      var field = named.filter(function (candidate) {
        return !isChoice(candidate) && used.indexOf(candidate) === -1;
      })[0];
      if (!field) {
        return;
      }
      used.push(field);
      if (field.value === "") {
        field.value = entry.value;
        if (field.value === entry.value) {
          announceChange(field);
          restored++;
        }
      }
    });
    return restored;
  }

  function showNotice() {
    var notice = document.getElementById("session-draft-notice");
    var main = document.getElementById("main");
    if (!notice || !main) {
      return;
    }
    main.prepend(notice);
    notice.hidden = false;
    // Filled in after it is shown, so that screen readers announce the status.
    window.setTimeout(function () {
      notice.textContent = notice.getAttribute("data-text");
    }, 50);
  }

  function markSessionEnded(store) {
    storedDrafts(store).forEach(function (item) {
      if (item.draft && !item.draft.sessionEnded) {
        item.draft.sessionEnded = true;
        store.setItem(item.key, JSON.stringify(item.draft));
      }
    });
  }

  function settleDrafts(store, owner, path, forms) {
    storedDrafts(store).forEach(function (item) {
      var draft = item.draft;
      if (!draft || !(Date.now() - draft.savedAt < MAX_AGE_MS)) {
        store.removeItem(item.key);
      } else if (draft.owner !== owner || !draft.sessionEnded) {
        // Someone else's, or the session never ended (another tab kept it open).
        store.removeItem(item.key);
      } else if (draft.path === path) {
        store.removeItem(item.key);
        var restored = 0;
        forms.forEach(function (form, index) {
          restored += restoreForm(form, draft.forms[index] || []);
        });
        if (restored) {
          showNotice();
        }
      }
    });
  }

  function start(box) {
    var store = sessionStore();
    var owner = box.getAttribute("data-owner");
    var path = window.location.pathname;
    var timeoutMs = Number(box.getAttribute("data-timeout-seconds")) * 1000;
    var warningMs = Number(box.getAttribute("data-warning-seconds")) * 1000;
    var stay = box.querySelector("[data-stay-signed-in]");
    var token = box.querySelector("[name=csrfmiddlewaretoken]");
    // The request for this page left no later than this: the server's clock for the
    // session started after it, so the warning is never late.
    var startedAt = (window.performance && performance.timeOrigin) || Date.now();
    var timer = null;
    var focusBefore = null;

    function pageForms() {
      return Array.prototype.filter.call(document.forms, function (form) {
        return !box.contains(form);
      });
    }

    function draftKey() {
      return PREFIX + owner + ":" + path;
    }

    function saveDraft() {
      if (!store) {
        return;
      }
      var forms = pageForms().map(valuesOf);
      var typed = forms.some(function (values) { return values.length > 0; });
      if (!typed) {
        return;
      }
      store.setItem(draftKey(), JSON.stringify({
        owner: owner, path: path, savedAt: Date.now(), sessionEnded: false, forms: forms,
      }));
    }

    function forgetOwnDrafts() {
      if (!store) {
        return;
      }
      storedDrafts(store).forEach(function (item) {
        if (!item.draft || item.draft.owner === owner) {
          store.removeItem(item.key);
        }
      });
    }

    function hasRunOut() {
      return Date.now() >= startedAt + timeoutMs;
    }

    function warn() {
      if (box.open) {
        return;
      }
      focusBefore = document.activeElement;
      box.showModal();
      stay.focus();
    }

    function closeWarning() {
      if (!box.open) {
        return;
      }
      box.close();
      if (focusBefore && focusBefore.focus && document.contains(focusBefore)) {
        focusBefore.focus();
      }
    }

    function runOut() {
      closeWarning();
      saveDraft();
    }

    function schedule() {
      window.clearTimeout(timer);
      var left = startedAt + timeoutMs - Date.now();
      if (left <= 0) {
        runOut();
      } else if (left <= warningMs) {
        warn();
        timer = window.setTimeout(schedule, left);
      } else {
        timer = window.setTimeout(schedule, left - warningMs);
      }
    }

    function keepAlive() {
      var sentAt = Date.now();
      fetch(box.getAttribute("data-keep-alive-url"), {
        method: "POST",
        credentials: "same-origin",
        headers: { "X-CSRFToken": token ? token.value : "" },
      }).then(function (response) {
        if (response.ok) {
          startedAt = sentAt;
          closeWarning();
          schedule();
        } else {
          // Too late: the session has ended. Keep what was typed and ask for the login.
          runOut();
          window.location.assign(window.location.href);
        }
      }).catch(function () {
        // No connection: the warning stays, to try again.
      });
    }

    function isSignOut(form) {
      var action = form.getAttribute("action");
      return action && new URL(action, window.location.href).pathname ===
        box.getAttribute("data-sign-out-url");
    }

    if (store) {
      settleDrafts(store, owner, path, pageForms());
    }

    stay.addEventListener("click", keepAlive);
    box.addEventListener("cancel", function (event) {
      event.preventDefault(); // Escape does not leave the choice unmade
    });
    box.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        return;
      }
      if (event.key !== "Tab") {
        return;
      }
      var buttons = box.querySelectorAll("button");
      var first = buttons[0];
      var last = buttons[buttons.length - 1];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    });
    document.addEventListener("submit", function (event) {
      if (isSignOut(event.target)) {
        forgetOwnDrafts(); // signing out on purpose leaves nothing behind
      } else if (hasRunOut()) {
        saveDraft();
      }
    }, true);
    window.addEventListener("pagehide", function () {
      if (hasRunOut()) {
        saveDraft();
      }
    });
    // Timers in a background tab may fire late; look again when the tab is shown.
    document.addEventListener("visibilitychange", function () {
      if (!document.hidden) {
        schedule();
      }
    });
    schedule();
  }

  var box = document.getElementById("session-timeout");
  if (box) {
    start(box);
  } else {
    var store = sessionStore();
    if (store) {
      markSessionEnded(store); // no session on this page: any draft's session has ended
    }
  }
})();
