/*
 * The proposal pages, progressively enhanced (everything works without this script):
 * - a character counter under every field with a maximum length;
 * - a warning before leaving the page with unsaved changes;
 * - attachments: the size is checked before sending (no upload ends on the 413 page), and unsaved
 *   text is saved as a draft first, since the file is sent by a form of its own.
 */
(function () {
  "use strict";

  function lengthOf(value) {
    // Count as the server does: a line break is one character.
    return value.replace(/\r\n/g, "\n").length;
  }

  function setupCounter(field) {
    var counter = document.getElementById(field.getAttribute("data-counter"));
    if (!counter) return;
    var max = parseInt(counter.getAttribute("data-counter-max"), 10);
    if (!max) return;
    var announced = false;
    function update() {
      var length = lengthOf(field.value);
      var remaining = max - length;
      counter.textContent = length + " / " + max + " " + (counter.getAttribute("data-label") || "") +
        (remaining < 0 ? " — " + (-remaining) + " " + (counter.getAttribute("data-over") || "") : "");
      counter.classList.toggle("fr-error-text", remaining < 0);
      // Announce once when getting close to the limit, not at every key.
      var near = remaining <= Math.max(20, Math.round(max * 0.05));
      if (near && !announced) {
        counter.setAttribute("aria-live", "polite");
        announced = true;
      } else if (!near && announced) {
        counter.removeAttribute("aria-live");
        announced = false;
      }
    }
    field.addEventListener("input", update);
    update();
  }

  document.querySelectorAll("[data-counter]").forEach(setupCounter);

  var form = document.querySelector("[data-proposal-form]");
  var dirty = false;
  var leaving = false;

  if (form) {
    // A page shown again with the person's unsaved text (a conflict, an error) starts "dirty".
    dirty = form.hasAttribute("data-unsaved");
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("change", function () { dirty = true; });
    form.addEventListener("submit", function (event) {
      if (leaving) {
        event.preventDefault();  // a double click sends once
        return;
      }
      leaving = true;
    });
    window.addEventListener("beforeunload", function (event) {
      if (dirty && !leaving) {
        event.preventDefault();
        event.returnValue = form.getAttribute("data-unsaved-message") || "";
        return event.returnValue;
      }
    });
  }

  var upload = document.querySelector("[data-attachment-form]");
  if (!upload) return;
  var input = upload.querySelector("input[type=file]");
  var error = upload.querySelector("[data-file-error]");
  var group = upload.querySelector(".fr-upload-group");
  var maxBytes = parseInt(input.getAttribute("data-max-bytes"), 10) || 0;

  function showError(message) {
    error.textContent = message;
    error.hidden = !message;
    error.style.display = message ? "" : "none";  // the DSFR's class would override [hidden]
    group.classList.toggle("fr-upload-group--error", !!message);
    if (message) {
      input.setAttribute("aria-describedby", "file-hint file-error");
      input.focus();
    } else {
      input.setAttribute("aria-describedby", "file-hint");
    }
  }

  function tooLarge() {
    var file = input.files && input.files[0];
    return file && maxBytes && file.size > maxBytes;
  }

  input.addEventListener("change", function () {
    showError(tooLarge() ? upload.getAttribute("data-too-large-message") : "");
  });

  upload.addEventListener("submit", function (event) {
    if (tooLarge()) {
      event.preventDefault();
      showError(upload.getAttribute("data-too-large-message"));
      return;
    }
    if (!form || !dirty || !window.fetch) {
      leaving = true;
      return;
    }
    // Save the text first: the file goes in its own request, the text must not stay behind.
    event.preventDefault();
    var data = new FormData(form);
    data.set("action", "save");
    // getAttribute: ``form.action`` would be the buttons named "action".
    fetch(form.getAttribute("action"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      return response.json().then(function (body) { return { status: response.status, body: body }; });
    }).then(function (result) {
      if (result.status === 200 && result.body.ok) {
        var version = form.querySelector("input[name=version]");
        if (version) version.value = result.body.version;
        dirty = false;
        leaving = true;
        upload.submit();
      } else if (result.status === 409) {
        showError(upload.getAttribute("data-conflict-message"));
      } else {
        showError(upload.getAttribute("data-invalid-message"));
      }
    }).catch(function () {
      showError(upload.getAttribute("data-network-message"));
    });
  });
})();
