/* commentgate comment widget. A host page includes
 *   <div data-commentgate data-site="demo" data-article="bai-viet-1"></div>
 *   <script src="https://comments.example/widget.js" defer></script>
 * and gets the form (Vietnamese; data-lang="en" for English) and the article's
 * approved comments. No dependencies, no cookies; readers' text is only ever
 * rendered with textContent. The script's own URL tells it where the API is.
 */
(function () {
  "use strict";
  var CONFIG = __COMMENTGATE_CONFIG__;
  var script = document.currentScript || document.querySelector("script[src*='widget.js']");
  var API = new URL(".", script.src).href + "api/v1";
  var FIELDS = ["name", "phone", "title", "content", "captcha_answer"];
  var REQUIRED = { name: 1, title: 1, content: 1, captcha_answer: 1 };
  var MARKED = FIELDS.concat(["consent"]); // every field an error can stand beside
  var PAGE_SIZE = 10;
  var count = 0;

  function fill(template, params) {
    return template.replace(/\{(\w+)\}/g, function (all, key) {
      return key in params ? params[key] : all;
    });
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (key === "text") node.textContent = value;
      else if (value === true) node.setAttribute(key, "");
      else if (value !== false && value != null) node.setAttribute(key, value);
    });
    (children || []).forEach(function (child) {
      if (child) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  // Mirrors the server's cleaning closely enough to count code points; it may
  // count fewer than the server, never more, so it never refuses a valid comment.
  function clean(value, multiline) {
    var text = value.normalize("NFC").replace(/\r\n?|[\u2028\u2029\x85]/g, "\n");
    if (!multiline) text = text.replace(/[\n\t]/g, " ");
    return text.replace(/(?!\n)[\p{Cc}\p{Cf}]/gu, "").trim();
  }

  function phoneLooksValid(value) {
    var digits = value.replace(/\D/g, "").length;
    return /^[\d\s+().\-/]*$/.test(value) && digits >= 8 && digits <= 15;
  }

  function api(method, path, body, lang) {
    var init = { method: method, credentials: "omit", headers: { "Accept-Language": lang } };
    if (body) {
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    return fetch(API + path, init).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (json) {
        return { status: response.status, body: json, retryAfter: response.headers.get("Retry-After") };
      });
    });
  }

  // An unregistered origin (or site) looks like a network failure to the page: say where to look.
  function warnSetup(site) {
    if (!window.console) return;
    console.warn("commentgate: no answer from " + API + " for site \"" + site + "\". " +
      "If the network is fine, check that the site exists and that this page's origin (" +
      window.location.origin + ") is registered for it: commentgate sites set " + site +
      " --origins (see: commentgate sites show " + site + ")");
  }

  var drafts = {
    load: function (key) {
      try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
    },
    save: function (key, values) {
      try {
        if (values) localStorage.setItem(key, JSON.stringify(values));
        else localStorage.removeItem(key);
      } catch (e) { /* storage full or disabled: the text is still on the page */ }
    }
  };

  function Widget(root, site, article, lang) {
    this.root = root;
    this.site = site;
    this.article = article;
    this.lang = lang;
    this.t = CONFIG.text[lang];
    this.ids = "cg" + ++count + "-";
    this.level = Math.min(Math.max(parseInt(root.getAttribute("data-heading-level"), 10) || 2, 1), 5);
    this.kind = "image";
    this.captchaId = "";
    this.captchaSeq = 0;
    this.busy = false;
    this.fields = {};
    this.privacy = null; // the site's privacy notice, once loaded: consent is then asked
    this.draftKey = "commentgate:draft:" + site + ":" + article;
  }

  Widget.prototype.field = function (name, opts) {
    var t = this.t, id = this.ids + name, described = [];
    var label = el("label", { "for": id, "class": "cg-label" },
      [t[opts.label || name], REQUIRED[name] ? el("span", { "class": "cg-req", "aria-hidden": "true", text: " (*)" }) : null]);
    var hint = opts.hint ? el("p", { "class": "cg-hint", id: id + "-hint", text: t[opts.hint] }) : null;
    var error = el("p", { "class": "cg-error", id: id + "-error", hidden: true });
    if (hint) described.push(hint.id);
    described.push(error.id);
    var input = el(opts.multiline ? "textarea" : "input", Object.assign({
      id: id, name: name, "class": "cg-input", required: !!REQUIRED[name],
      "aria-describedby": described.join(" ")
    }, opts.attrs || {}));
    this.fields[name] = { input: input, error: error };
    return { label: label, hint: hint, input: input, error: error };
  };

  Widget.prototype.simpleField = function (name, opts) {
    var f = this.field(name, opts);
    var extra = opts.counter ? this.counter(f.input) : null;
    return el("div", { "class": "cg-field" }, [f.label, f.input, f.error, f.hint, extra]);
  };

  Widget.prototype.counter = function (input) {
    var t = this.t, max = CONFIG.maxLengths.content;
    var node = el("p", { "class": "cg-counter", "aria-hidden": "true" });
    function update() { node.textContent = fill(t.count, { n: Array.from(clean(input.value, true)).length, max: max }); }
    input.addEventListener("input", update);
    this.updateCounter = update;
    update();
    return node;
  };

  Widget.prototype.captchaField = function () {
    var t = this.t, self = this;
    var f = this.field("captcha_answer", {
      label: "captcha", hint: "captcha_hint",
      attrs: { autocomplete: "off", autocapitalize: "characters", spellcheck: "false" }
    });
    this.hint = f.hint;
    this.img = el("img", { "class": "cg-captcha-img", width: 180, height: 64, alt: t.captcha_alt, hidden: true });
    this.captchaProblem = el("p", { "class": "cg-error", hidden: true, text: t.captcha_failed });
    var refresh = el("button", { type: "button", "class": "cg-link", text: t.refresh });
    var listen = el("button", { type: "button", "class": "cg-link", text: t.listen });
    this.audio = el("audio", { "class": "cg-audio", controls: true, preload: "none", hidden: true, "aria-label": t.audio_label });
    this.audioNote = el("p", { "class": "cg-hint", hidden: true, text: t.audio_note });
    refresh.addEventListener("click", function () { self.refreshCaptcha(true); });
    listen.addEventListener("click", function () { self.useAudio(); });
    return el("div", { "class": "cg-field" }, [
      f.label, f.hint,
      el("div", { "class": "cg-captcha" }, [f.input, this.img, this.captchaProblem]),
      f.error,
      el("div", { "class": "cg-tools" }, [refresh, listen]),
      this.audio, this.audioNote
    ]);
  };

  // Shown once the site's notice is known; ticking it is the reader's consent.
  Widget.prototype.consentField = function () {
    var id = this.ids + "consent";
    var input = el("input", { id: id, name: "consent", type: "checkbox", "aria-describedby": id + "-hint " + id + "-error" });
    var error = el("p", { "class": "cg-error", id: id + "-error", hidden: true });
    this.noticeText = el("p", { "class": "cg-hint", id: id + "-hint" });
    this.consentLabel = el("span", { text: this.t.consent });
    this.fields.consent = { input: input, error: error };
    this.consentBox = el("div", { "class": "cg-field cg-consent", hidden: true }, [
      this.noticeText,
      el("label", { "class": "cg-check", "for": id }, [input, this.consentLabel]),
      error
    ]);
    return this.consentBox;
  };

  Widget.prototype.loadPrivacy = function () {
    var self = this;
    api("GET", "/privacy?site=" + encodeURIComponent(this.site), null, this.lang).then(function (r) {
      if (r.status === 200 && r.body && r.body.notice_version) self.showPrivacy(r.body);
    }).catch(function () { /* the server still asks consent where it must */ });
  };

  Widget.prototype.showPrivacy = function (notice) {
    var t = this.t, link = notice.notice_url
      ? el("a", { href: notice.notice_url, target: "_blank", rel: "noopener", text: t.privacy_notice })
      : t.privacy_notice;
    this.privacy = notice;
    this.noticeText.replaceChildren(
      notice.purpose ? notice.purpose + " " : "", link, " (" + t.notice_version + " " + notice.notice_version + ")"
    );
    this.consentLabel.textContent = notice.consent_always ? t.consent_always : t.consent;
    this.consentBox.hidden = false;
  };

  Widget.prototype.consentMissing = function () {
    var p = this.privacy, phone = clean(this.fields.phone.input.value, false);
    return !!p && (p.consent_always || !!phone) && !this.fields.consent.input.checked;
  };

  Widget.prototype.honeypot = function () {
    var id = this.ids + "website";
    this.fields.website = { input: el("input", { id: id, name: "website", type: "text", tabindex: "-1", autocomplete: "off" }) };
    return el("div", { "class": "cg-hp", "aria-hidden": "true" },
      [el("label", { "for": id, text: this.t.honeypot }), this.fields.website.input]);
  };

  Widget.prototype.buildForm = function () {
    var t = this.t, self = this, h = "h" + this.level;
    this.status = el("div", { "class": "cg-notice", role: "status" });
    this.alert = el("div", { "class": "cg-notice", role: "alert" });
    this.live = el("div", { "class": "cg-sr", "aria-live": "polite" });
    this.submit = el("button", { type: "submit", "class": "cg-button", text: t.submit });
    this.form = el("form", { "class": "cg-form", novalidate: true, "aria-labelledby": this.ids + "heading" }, [
      el("div", { "class": "cg-row" }, [
        this.simpleField("name", { attrs: { autocomplete: "name" } }),
        this.simpleField("phone", { hint: "phone_hint", attrs: { type: "tel", autocomplete: "tel", inputmode: "tel" } })
      ]),
      this.consentField(),
      this.simpleField("title", {}),
      this.simpleField("content", { multiline: true, counter: true, attrs: { rows: 6 } }),
      this.captchaField(),
      this.honeypot(),
      this.submit, this.alert, this.status, this.live
    ]);
    this.form.addEventListener("submit", function (event) { event.preventDefault(); self.send(); });
    this.form.addEventListener("input", function (event) { self.onInput(event.target); });
    return el("section", { "class": "cg-compose" }, [
      el(h, { "class": "cg-heading", id: this.ids + "heading", text: t.form_heading }),
      el("p", { "class": "cg-note", text: t.required_note }),
      this.form
    ]);
  };

  Widget.prototype.buildList = function () {
    var t = this.t, self = this, h = "h" + this.level;
    this.list = el("ol", { "class": "cg-comments" });
    this.empty = el("p", { "class": "cg-empty", hidden: true, text: t.no_comments });
    this.listProblem = el("p", { "class": "cg-error", hidden: true, text: t.comments_failed });
    this.more = el("button", { type: "button", "class": "cg-link", hidden: true, text: t.more });
    this.more.addEventListener("click", function () { self.loadComments(self.cursor, true); });
    return el("section", { "class": "cg-list", "aria-labelledby": this.ids + "comments" }, [
      el(h, { "class": "cg-heading", id: this.ids + "comments", text: t.comments }),
      this.list, this.empty, this.listProblem, this.more
    ]);
  };

  Widget.prototype.mount = function () {
    if (!document.getElementById("cg-style")) {
      // First in <head>, so the host's own rules win and the form looks like the site's.
      document.head.insertBefore(el("style", { id: "cg-style", text: CONFIG.css }), document.head.firstChild);
    }
    this.root.classList.add("cg-widget");
    this.root.setAttribute("lang", this.lang);
    this.root.replaceChildren(this.buildForm(), this.buildList());
    this.restoreDraft();
    this.loadPrivacy();
    this.refreshCaptcha(false);
    this.loadComments(null, false);
  };

  // ---- captcha

  Widget.prototype.refreshCaptcha = function (announce) {
    var self = this, seq = ++this.captchaSeq;
    clearTimeout(this.expiry);
    // Counted against this site's own limits; only its origins may ask.
    var path = "/captchas?site=" + encodeURIComponent(this.site);
    return api("POST", path, { kind: this.kind }, this.lang).then(function (r) {
      if (seq !== self.captchaSeq) return;
      if (r.status !== 201) throw r;
      self.showCaptcha(r.body);
      if (announce) self.announce(self.t.new_code);
    }).catch(function (r) {
      if (seq !== self.captchaSeq) return;
      if (!(r && r.status)) warnSetup(self.site);
      self.captchaId = "";
      self.img.hidden = true;
      self.captchaProblem.hidden = false;
    });
  };

  Widget.prototype.showCaptcha = function (captcha) {
    var self = this, audio = captcha.kind === "audio";
    this.captchaId = captcha.id;
    this.img.src = captcha.image_url;
    this.img.hidden = false;
    this.captchaProblem.hidden = true;
    this.fields.captcha_answer.input.value = "";
    this.fields.captcha_answer.input.setAttribute("inputmode", audio ? "numeric" : "text");
    this.hint.textContent = this.t[audio ? "captcha_hint_audio" : "captcha_hint"];
    this.audio.hidden = this.audioNote.hidden = !audio;
    if (audio) this.audio.src = captcha.audio_url;
    else this.audio.removeAttribute("src");
    // An unused code expires: fetch a new one quietly if nothing is typed yet.
    this.expiry = setTimeout(function () {
      if (!self.fields.captcha_answer.input.value) self.refreshCaptcha(false);
    }, Math.max(captcha.expires_in - 15, 15) * 1000);
  };

  Widget.prototype.useAudio = function () {
    var self = this;
    this.kind = "audio";
    this.refreshCaptcha(false).then(function () {
      if (!self.audio.hidden) {
        var playing = self.audio.play();
        if (playing) playing.catch(function () { self.audio.focus(); });
      }
    });
  };

  // ---- drafts and input

  Widget.prototype.values = function () {
    var values = {};
    var self = this;
    ["name", "phone", "title", "content"].forEach(function (name) { values[name] = self.fields[name].input.value; });
    return values;
  };

  Widget.prototype.saveDraft = function () {
    var values = this.values();
    var typed = Object.keys(values).some(function (k) { return values[k].trim(); });
    drafts.save(this.draftKey, typed ? values : null);
  };

  Widget.prototype.restoreDraft = function () {
    var draft = drafts.load(this.draftKey), self = this, restored = false;
    if (!draft) return;
    Object.keys(this.values()).forEach(function (name) {
      if (typeof draft[name] === "string" && draft[name]) {
        self.fields[name].input.value = draft[name];
        restored = true;
      }
    });
    this.updateCounter();
    if (restored) this.say(this.status, "cg-ok", [this.t.draft_restored]);
  };

  Widget.prototype.onInput = function (target) {
    if (target.name === "captcha_answer" || target.name === "website") return;
    if (target.getAttribute("aria-invalid")) this.setError(target.name, "");
    this.saveDraft();
  };

  // ---- messages

  Widget.prototype.say = function (region, tone, lines, action) {
    var seq = region.cgSeq = (region.cgSeq || 0) + 1;
    region.className = "cg-notice " + tone;
    region.replaceChildren();
    // Content added to a live region after a pause is what screen readers announce.
    setTimeout(function () {
      if (region.cgSeq !== seq) return;
      region.replaceChildren.apply(region, lines.map(function (line) { return el("p", { text: line }); }));
      if (action) region.appendChild(action);
    }, 30);
  };

  Widget.prototype.announce = function (text) {
    var live = this.live;
    live.textContent = "";
    setTimeout(function () { live.textContent = text; }, 30);
  };

  Widget.prototype.setError = function (name, message) {
    var field = this.fields[name];
    field.error.textContent = message;
    field.error.hidden = !message;
    if (message) field.input.setAttribute("aria-invalid", "true");
    else field.input.removeAttribute("aria-invalid");
  };

  Widget.prototype.clearMessages = function () {
    var self = this;
    MARKED.forEach(function (name) { self.setError(name, ""); });
    [this.alert, this.status].forEach(function (region) {
      region.cgSeq = (region.cgSeq || 0) + 1;
      region.className = "cg-notice";
      region.replaceChildren();
    });
  };

  Widget.prototype.showFieldErrors = function (errors, summary) {
    var self = this, first = null, others = [];
    Object.keys(errors).forEach(function (name) {
      var target = name === "captcha_id" ? "captcha_answer" : name;
      if (self.fields[target] && target !== "website") self.setError(target, errors[name]);
      else others.push(name + ": " + errors[name]);
    });
    MARKED.forEach(function (name) {
      if (!first && self.fields[name].input.getAttribute("aria-invalid")) first = self.fields[name].input;
    });
    this.say(this.alert, "cg-bad", [summary].concat(others));
    if (first) first.focus();
  };

  Widget.prototype.showFailure = function (message, retryAfter) {
    var t = this.t, self = this;
    var lines = [message, t.kept + " " + t.retry_hint];
    if (retryAfter) lines.push(fill(t.retry_after, { seconds: retryAfter }));
    var retry = el("button", { type: "button", "class": "cg-link", text: t.retry });
    retry.addEventListener("click", function () {
      var answer = self.fields.captcha_answer.input;
      (self.captchaId ? Promise.resolve() : self.refreshCaptcha(false)).then(function () { answer.focus(); });
    });
    this.say(this.alert, "cg-bad", lines, retry);
  };

  // ---- sending

  Widget.prototype.localErrors = function () {
    var messages = CONFIG.messages.fields, lang = this.lang, errors = {}, self = this;
    function problem(code, params) { return fill(messages[code][lang], params || {}); }
    FIELDS.forEach(function (name) {
      var raw = self.fields[name].input.value, value = clean(raw, name === "content");
      var max = CONFIG.maxLengths[name];
      if (!value && REQUIRED[name]) errors[name] = problem("required");
      else if (max && Array.from(value).length > max) errors[name] = problem("too_long", { max: max });
      else if (name === "phone" && value && !phoneLooksValid(value)) errors[name] = problem("phone_invalid");
    });
    if (this.consentMissing()) errors.consent = problem("consent_required");
    if (!this.captchaId && !errors.captcha_answer) errors.captcha_answer = this.t.captcha_failed;
    return errors;
  };

  Widget.prototype.payload = function () {
    var body = this.values();
    body.site = this.site;
    body.article = this.article;
    body.captcha_id = this.captchaId;
    body.captcha_answer = this.fields.captcha_answer.input.value;
    body.website = this.fields.website.input.value;
    body.consent = this.fields.consent.input.checked;
    return body;
  };

  Widget.prototype.setBusy = function (busy) {
    this.busy = busy;
    this.submit.textContent = busy ? this.t.sending : this.t.submit;
    this.submit.setAttribute("aria-disabled", busy ? "true" : "false");
    this.form.setAttribute("aria-busy", busy ? "true" : "false");
  };

  Widget.prototype.send = function () {
    var self = this, errors;
    if (this.busy) return;
    this.clearMessages();
    errors = this.localErrors();
    if (Object.keys(errors).length) {
      return this.showFieldErrors(errors, CONFIG.messages.errors.validation_failed[this.lang]);
    }
    this.saveDraft();
    this.setBusy(true);
    api("POST", "/comments", this.payload(), this.lang)
      .then(function (r) { self.answered(r); })
      .catch(function () { self.showFailure(self.t.offline, null); })
      .then(function () {
        self.setBusy(false);
        self.refreshCaptcha(false);
      });
  };

  Widget.prototype.answered = function (r) {
    var error = (r.body && r.body.error) || {}, fields = {}, messages = CONFIG.messages.errors;
    if (r.status === 202) return this.accepted();
    if (r.status === 422 && error.fields) {
      Object.keys(error.fields).forEach(function (name) { fields[name] = error.fields[name].message; });
      return this.showFieldErrors(fields, error.message);
    }
    var fallback = messages[r.status === 429 ? "rate_limited" : "unavailable"][this.lang];
    this.showFailure(error.message || fallback, r.status === 429 ? r.retryAfter : null);
  };

  Widget.prototype.accepted = function () {
    this.form.reset();
    this.updateCounter();
    drafts.save(this.draftKey, null);
    this.say(this.status, "cg-ok", [this.t.success]);
  };

  // ---- approved comments

  Widget.prototype.loadComments = function (cursor, focusNew) {
    var self = this;
    var query = "?site=" + encodeURIComponent(this.site) + "&article=" + encodeURIComponent(this.article) +
      "&limit=" + PAGE_SIZE + (cursor ? "&cursor=" + encodeURIComponent(cursor) : "");
    this.more.hidden = true;
    this.listProblem.hidden = true;
    return api("GET", "/comments" + query, null, this.lang).then(function (r) {
      if (r.status !== 200) throw r;
      var nodes = r.body.items.map(function (c) { return self.renderComment(c); });
      nodes.forEach(function (node) { self.list.appendChild(node); });
      self.cursor = r.body.next_cursor;
      self.more.hidden = !self.cursor;
      self.empty.hidden = self.list.children.length > 0;
      if (focusNew && nodes.length) nodes[0].focus();
    }).catch(function () {
      self.listProblem.hidden = false;
      self.more.hidden = !cursor;
    });
  };

  Widget.prototype.renderComment = function (comment) {
    var when = new Date(comment.created_at);
    var format = new Intl.DateTimeFormat(this.lang === "en" ? "en-GB" : "vi-VN", {
      day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit"
    });
    return el("li", { "class": "cg-comment", tabindex: "-1" }, [
      el("p", { "class": "cg-meta" }, [
        el("span", { "class": "cg-author", text: comment.name }), " · ",
        el("time", { datetime: comment.created_at, text: format.format(when) })
      ]),
      el("h" + (this.level + 1), { "class": "cg-title", text: comment.title }),
      el("p", { "class": "cg-body", text: comment.content })
    ]);
  };

  function articleOf(root) {
    var canonical = document.querySelector("link[rel=canonical]");
    return root.getAttribute("data-article") || (canonical ? canonical.href : location.origin + location.pathname);
  }

  function mount(root) {
    if (root.hasAttribute("data-commentgate-mounted")) return;
    root.setAttribute("data-commentgate-mounted", "");
    var lang = root.getAttribute("data-lang") === "en" ? "en" : "vi";
    new Widget(root, root.getAttribute("data-site") || "", articleOf(root), lang).mount();
  }

  function mountAll() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-commentgate]"), mount);
  }

  window.commentgate = { mount: mount };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", mountAll);
  else mountAll();
})();
