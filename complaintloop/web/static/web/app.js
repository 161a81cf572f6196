/* Behaviour every page shares, as data attributes instead of inline handlers (the
   Content-Security-Policy allows scripts from our static files only). */
(function () {
  "use strict";

  // <select data-autosubmit>, <input type=radio data-autosubmit>: a change submits the form.
  document.addEventListener("change", function (e) {
    var el = e.target;
    if (el && el.matches && el.matches("[data-autosubmit]") && el.form) {
      if (el.form.requestSubmit) el.form.requestSubmit();
      else el.form.submit();
    }
  });

  // <button data-clear-fields="start end">: empty those fields of its form before it submits.
  document.addEventListener("click", function (e) {
    var button = e.target && e.target.closest && e.target.closest("[data-clear-fields]");
    if (!button || !button.form) return;
    button.dataset.clearFields.split(/\s+/).forEach(function (name) {
      var field = button.form.elements[name];
      if (field) field.value = "";
    });
  });

  // Inside [data-swap-client-errors], htmx swaps 4xx answers too: they carry the form
  // with its errors.
  document.addEventListener("htmx:beforeSwap", function (e) {
    var target = e.detail.target;
    var status = e.detail.xhr.status;
    if (target && target.closest && target.closest("[data-swap-client-errors]") && status >= 400 && status < 500) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
})();

/* Alpine components (the CSP build evaluates no inline functions, so behaviour with
   more than an expression is registered here). */
document.addEventListener("alpine:init", function () {
  // The ticket page's action buttons: one form open at a time, focused when it opens.
  window.Alpine.data("ticketActions", function () {
    return {
      open: "",
      init: function () {
        this.open = this.$el.dataset.open || "";
      },
      // The reply form's template picker fills the reply text with the chosen text.
      applyTemplate: function (event) {
        var option = event.target.selectedOptions[0];
        if (option && option.dataset.text) {
          this.$refs.replyText.value = option.dataset.text;
          this.$refs.replyText.focus();
        }
      },
      toggle: function () {
        var name = this.$el.dataset.action;
        this.open = this.open === name ? "" : name;
        this.$nextTick(function () {
          var field = document.querySelector("#form-" + name + " [autofocus]");
          if (field) field.focus();
        });
      },
    };
  });
});
