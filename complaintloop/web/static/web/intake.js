/* 受理 page: keyboard-first intake. Alt+S/R/P submit; the category picker is a combobox
   driven by arrow keys and Enter; Enter never submits the form by accident. */
(function () {
  "use strict";

  // The phone field's hx-trigger listens for these (htmx's own trigger filters would
  // need eval, which the Content-Security-Policy forbids): look the caller up from 7
  // digits on, and at once on Enter.
  function phoneReady(el) {
    return (el.value.match(/\d/g) || []).length >= 7;
  }
  document.addEventListener("keyup", function (e) {
    var el = e.target;
    if (el && el.id === "id_customer_phone" && phoneReady(el)) {
      el.dispatchEvent(new CustomEvent("phone-ready"));
    }
  });
  document.addEventListener("keydown", function (e) {
    var el = e.target;
    if (el && el.id === "id_customer_phone" && e.key === "Enter") {
      el.dispatchEvent(new CustomEvent("phone-enter"));
    }
  });

  var SHORTCUTS = { KeyS: "btn-dispatch", KeyR: "btn-resolve", KeyP: "btn-prehandle" };

  function $(id) { return document.getElementById(id); }

  function options() {
    var list = $("cat-results");
    return list ? Array.prototype.slice.call(list.querySelectorAll('li[role="option"]')) : [];
  }

  function activeIndex() {
    return options().findIndex(function (li) { return li.getAttribute("aria-selected") === "true"; });
  }

  function highlight(index) {
    var opts = options();
    var input = $("cat-search");
    opts.forEach(function (li, i) {
      li.setAttribute("aria-selected", i === index ? "true" : "false");
      li.classList.toggle("active", i === index);
    });
    if (opts[index]) {
      input.setAttribute("aria-activedescendant", opts[index].id);
      opts[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function closeList() {
    var list = $("cat-results");
    var input = $("cat-search");
    if (!list) return;
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function setCategory(code, label) {
    $("id_category").value = code;
    var chip = $("cat-chip");
    chip.querySelector(".chip-code").textContent = code;
    chip.querySelector(".chip-label").textContent = label;
    chip.hidden = !code;
    var input = $("cat-search");
    input.value = "";
    closeList();
    if (window.htmx) htmx.trigger(document.body, "intake:category");
  }

  function choose(li) {
    if (!li) return;
    setCategory(li.dataset.code, li.dataset.label);
    $("id_description").focus();
  }

  document.addEventListener("keydown", function (e) {
    // Alt+S / Alt+R / Alt+P press the matching submit button from anywhere on the page.
    if (e.altKey && !e.ctrlKey && !e.metaKey && SHORTCUTS[e.code] && $("intake-form")) {
      e.preventDefault();
      $(SHORTCUTS[e.code]).click();
      return;
    }
    var t = e.target;
    if (t && t.id === "cat-search") {
      var opts = options();
      var open = !$("cat-results").hidden && opts.length > 0;
      if (e.key === "ArrowDown" && open) {
        e.preventDefault();
        highlight(Math.min(activeIndex() + 1, opts.length - 1));
      } else if (e.key === "ArrowUp" && open) {
        e.preventDefault();
        highlight(Math.max(activeIndex() - 1, 0));
      } else if (e.key === "Enter") {
        e.preventDefault();
        if (open) choose(opts[activeIndex()] || opts[0]);
      } else if (e.key === "Escape") {
        if (open) { e.preventDefault(); closeList(); }
      } else if (e.key === "Backspace" && !t.value && $("id_category").value) {
        setCategory("", "");
      }
      return;
    }
    // Enter in a single-line field would submit the form: only the buttons submit.
    if (e.key === "Enter" && t && t.form && t.form.id === "intake-form" &&
        t.tagName === "INPUT" && t.type !== "submit" && t.type !== "button" && t.type !== "file") {
      e.preventDefault();
    }
  });

  document.addEventListener("click", function (e) {
    var li = e.target.closest && e.target.closest('#cat-results li[role="option"]');
    if (li) { choose(li); return; }
    if (e.target.closest && e.target.closest("[data-clear-category]")) {
      setCategory("", "");
      $("cat-search").focus();
      return;
    }
    // 首问解决 / 预处理 need a note: the first press opens it, the second submits.
    var button = e.target.closest && e.target.closest("button[data-reveal]");
    if (button) {
      var box = $(button.dataset.reveal);
      var area = box && box.querySelector("textarea");
      if (box && (box.hidden || !area.value.trim())) {
        e.preventDefault();
        box.hidden = false;
        area.focus();
      }
    }
    if (!e.target.closest || !e.target.closest(".cat-picker")) closeList();
  });

  document.addEventListener("htmx:afterSwap", function (e) {
    var target = e.detail.target;
    if (target && target.id === "cat-results") {
      var has = options().length > 0 || target.children.length > 0;
      target.hidden = !has;
      $("cat-search").setAttribute("aria-expanded", has ? "true" : "false");
      highlight(-1);
    }
  });

  // Validation errors (422), conflicts (409) and refusals (403) carry the re-rendered form.
  document.addEventListener("htmx:beforeSwap", function (e) {
    var status = e.detail.xhr.status;
    if (e.detail.target && e.detail.target.id === "intake" && [403, 409, 422].indexOf(status) >= 0) {
      e.detail.shouldSwap = true;
      e.detail.isError = false;
    }
  });
})();
