/*
 * 新冠疫苗接种问答 — web chat widget for the Rasa REST channel.
 *
 * Embed with one tag and a container:
 *   <div id="vaccine-faq-chat"></div>
 *   <script src="https://bot.example.org/widget.js"
 *           data-server="https://bot.example.org:5005" defer></script>
 *
 * No dependencies and no build step, so any site can host it as is.
 * Every piece of user or bot text goes through textContent: the widget never
 * parses a string as HTML.
 */
(function () {
  "use strict";

  var SCRIPT = document.currentScript;
  var DEFAULTS = {
    target: "#vaccine-faq-chat",
    server: "http://localhost:5005",
    timeoutMs: 20000,
    // Mirrors MAX_QUESTION_CHARS in bot/text/validate.py: refusing here saves
    // a round trip and keeps a pasted document off the network.
    maxChars: 500,
    title: "新冠疫苗接种问答",
    quickReplies: ["哪些人可以接种？", "有哪些疫苗？", "加强针怎么打？", "加强针的接种对象？"]
  };
  var SOURCE_PREFIX = "【来源】";
  var MAX_STORED = 200;
  var STORAGE_VERSION = 1;
  var instanceCount = 0;

  var WELCOME = [
    "您好！我是新冠疫苗接种问答助手，可以回答以下问题：哪些人可以接种、我市有哪些新冠疫苗、加强针怎么打、哪些人需要打加强针等。",
    "所有回答都出自大同日报《市疾控中心专家就新冠病毒疫苗接种再释疑》（2022年5月），每条回答都注明出处，可展开查看原文。资料发布于2022年5月，接种政策可能已有调整，请以当地最新通知为准。",
    "本助手提供的是公开资料，不构成医疗建议。身体状况、接种禁忌等个人问题，请咨询接种点医生、当地疾控中心或拨打12320卫生健康热线。"
  ];

  var TEXT = {
    you: "您：",
    bot: "助手：",
    typing: "助手正在输入…",
    placeholder: "请输入您的问题，按回车发送",
    inputLabel: "输入您的问题",
    send: "发送",
    reset: "新对话",
    resetLabel: "清空对话记录，开始新对话",
    quickLabel: "常见问题",
    logLabel: "对话记录",
    retry: "重试",
    expand: "展开原文",
    empty: "请输入您想咨询的新冠疫苗接种问题。",
    busy: "请稍候，上一个问题还在回答中。",
    unreachable: "无法连接到问答服务，请检查网络连接后重试。",
    timeout: "问答服务长时间没有回应，请稍后重试。",
    serverError: "问答服务暂时出现问题（错误代码 {code}），请稍后重试。",
    noAnswer: "没有收到问答服务的回答，请稍后重试。",
    article: "出处：",
    question: "原文问题：",
    fromQuestion: "出自答问：",
    passageQuote: "原文摘录：",
    faqNote: "上面的回答摘自专家对这个问题的答复。"
  };

  function tooLongMessage(max) {
    return "问题太长了（超过" + max + "字），请简要描述您的问题后再问。";
  }

  // ---------- small helpers ----------

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function visuallyHidden(text) {
    return el("span", "vfc-visually-hidden", text);
  }

  function randomId() {
    var bytes = new Uint8Array(12);
    if (window.crypto && window.crypto.getRandomValues) {
      window.crypto.getRandomValues(bytes);
    } else {
      for (var i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
    }
    return "web-" + Array.prototype.map.call(bytes, function (b) {
      return (b < 16 ? "0" : "") + b.toString(16);
    }).join("");
  }

  // Same cleaning as the server (bot/text/validate.py) so the length we refuse
  // at is the length the server would refuse at.
  function cleanQuestion(raw) {
    var kept = "";
    var chars = Array.from(String(raw));
    for (var i = 0; i < chars.length; i++) {
      var ch = chars[i];
      if (/[\t\r\n\v\f]/.test(ch)) kept += " ";
      else if (!/[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}]/u.test(ch)) kept += ch;
    }
    return kept.split(/\s+/).filter(Boolean).join(" ");
  }

  function checkQuestion(raw, maxChars) {
    var text = cleanQuestion(raw);
    if (!text) return { error: TEXT.empty };
    if (Array.from(text).length > maxChars) return { error: tooLongMessage(maxChars) };
    return { text: text };
  }

  function chineseDate(date) {
    var parts = String(date || "").split("-");
    if (!parts[0] || parts.length > 3 || !parts.every(function (p) { return /^\d+$/.test(p); })) {
      return String(date || "");
    }
    var labels = ["年", "月", "日"];
    return parts.map(function (p, i) { return (i ? String(parseInt(p, 10)) : p) + labels[i]; }).join("");
  }

  function sourceLine(source) {
    var line = SOURCE_PREFIX + (source.newspaper || "") + "《" + (source.article || "") + "》（" +
      chineseDate(source.date) + "）";
    if (source.question) line += "，答问“" + String(source.question).replace(/[？?]+$/, "") + "”";
    return line;
  }

  function storageFor(key) {
    // Private browsing or a strict site policy can forbid storage; the widget
    // then still works, it just forgets on reload.
    var memory = null;
    return {
      load: function () {
        try {
          var raw = window.localStorage.getItem(key);
          return raw ? JSON.parse(raw) : memory;
        } catch (e) {
          return memory;
        }
      },
      save: function (value) {
        memory = value;
        try { window.localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* kept in memory */ }
      },
      clear: function () {
        memory = null;
        try { window.localStorage.removeItem(key); } catch (e) { /* nothing stored */ }
      }
    };
  }

  // Keep only what rendering needs: the payload also carries diagnostics.
  function pickAnswer(answer) {
    if (!answer || typeof answer !== "object") return null;
    var sources = Array.isArray(answer.sources) ? answer.sources : [];
    return {
      kind: typeof answer.kind === "string" ? answer.kind : null,
      sources: sources.filter(function (s) { return s && typeof s === "object"; }).map(function (s) {
        return {
          article: s.article || "", newspaper: s.newspaper || "", date: s.date || "",
          question: s.question || "", quote: s.quote || ""
        };
      })
    };
  }

  // One Rasa turn can yield several messages; the answering action sends its
  // metadata as a separate custom message right after the text it belongs to.
  function entriesFromRasa(messages) {
    var entries = [];
    (Array.isArray(messages) ? messages : []).forEach(function (m) {
      if (!m || typeof m !== "object") return;
      if (typeof m.text === "string" && m.text.trim()) {
        entries.push({ role: "bot", text: m.text });
      }
      var last = entries[entries.length - 1];
      if (Array.isArray(m.buttons) && last) {
        last.buttons = m.buttons.filter(function (b) { return b && b.title; }).map(function (b) {
          return { title: String(b.title), payload: String(b.payload || b.title) };
        });
      }
      if (m.custom && m.custom.answer && last && !last.answer) {
        last.answer = pickAnswer(m.custom.answer);
      }
    });
    return entries;
  }

  function resolveOptions(container, script, options) {
    var global = window.VACCINE_FAQ_CHAT_CONFIG || {};
    options = options || {};
    function pick(name, attr) {
      if (options[name] !== undefined) return options[name];
      var fromContainer = container && container.getAttribute("data-" + attr);
      if (fromContainer) return fromContainer;
      var fromScript = script && script.getAttribute("data-" + attr);
      if (fromScript) return fromScript;
      if (global[name] !== undefined) return global[name];
      return DEFAULTS[name];
    }
    var timeout = parseInt(pick("timeoutMs", "timeout"), 10);
    var maxChars = parseInt(pick("maxChars", "max-chars"), 10);
    return {
      server: String(pick("server", "server")).replace(/\/+$/, ""),
      timeoutMs: timeout > 0 ? timeout : DEFAULTS.timeoutMs,
      maxChars: maxChars > 0 ? maxChars : DEFAULTS.maxChars,
      title: String(pick("title", "title")),
      quickReplies: Array.isArray(options.quickReplies) ? options.quickReplies
        : (Array.isArray(global.quickReplies) ? global.quickReplies : DEFAULTS.quickReplies)
    };
  }

  // ---------- the widget ----------

  function ChatWidget(container, opts) {
    this.container = container;
    this.opts = opts;
    this.id = "vfc-" + (++instanceCount);
    this.busy = false;
    this.composing = false;
    this.store = storageFor("vaccine-faq-chat:v" + STORAGE_VERSION + ":" + opts.server);
    var saved = this.store.load();
    if (saved && typeof saved.sender === "string" && Array.isArray(saved.messages)) {
      this.state = saved;
    } else {
      this.state = { sender: randomId(), messages: [] };
    }
    this.build();
    this.renderAll();
  }

  ChatWidget.prototype.build = function () {
    var self = this;
    var root = el("section", "vfc");
    root.setAttribute("aria-labelledby", this.id + "-title");

    var header = el("header", "vfc-header");
    var title = el("h2", "vfc-title", this.opts.title);
    title.id = this.id + "-title";
    var reset = el("button", "vfc-reset", TEXT.reset);
    reset.type = "button";
    reset.setAttribute("aria-label", TEXT.resetLabel);
    reset.addEventListener("click", function () { self.reset(); });
    header.appendChild(title);
    header.appendChild(reset);

    // tabindex lets keyboard users scroll a long conversation.
    var log = el("div", "vfc-log");
    log.setAttribute("role", "log");
    log.setAttribute("aria-live", "polite");
    log.setAttribute("aria-relevant", "additions");
    log.setAttribute("aria-label", TEXT.logLabel);
    log.tabIndex = 0;

    var quick = el("div", "vfc-quick");
    quick.setAttribute("role", "group");
    quick.setAttribute("aria-label", TEXT.quickLabel);
    this.opts.quickReplies.forEach(function (q) {
      var b = el("button", "vfc-chip", q);
      b.type = "button";
      b.addEventListener("click", function () { self.send(q); });
      quick.appendChild(b);
    });

    var notice = el("p", "vfc-notice");
    notice.id = this.id + "-notice";
    notice.setAttribute("role", "alert");
    notice.hidden = true;

    var form = el("form", "vfc-form");
    form.noValidate = true;
    var label = el("label", "vfc-visually-hidden", TEXT.inputLabel);
    label.htmlFor = this.id + "-input";
    var input = el("input", "vfc-input");
    input.id = this.id + "-input";
    input.type = "text";
    input.autocomplete = "off";
    input.setAttribute("enterkeyhint", "send");
    input.placeholder = TEXT.placeholder;
    input.setAttribute("aria-describedby", notice.id);
    var counter = el("span", "vfc-counter");
    counter.setAttribute("aria-hidden", "true");
    counter.hidden = true;
    var sendBtn = el("button", "vfc-send", TEXT.send);
    sendBtn.type = "submit";
    form.appendChild(label);
    form.appendChild(input);
    form.appendChild(counter);
    form.appendChild(sendBtn);

    // An Enter that confirms a Chinese IME candidate must not send the question.
    // Safari ends the composition before that keydown, so keyCode 229 ("the
    // IME has this key") is checked too.
    input.addEventListener("compositionstart", function () { self.composing = true; });
    input.addEventListener("compositionend", function () { self.composing = false; });
    input.addEventListener("keydown", function (event) {
      self.imeKey = event.isComposing || event.keyCode === 229;
    });
    input.addEventListener("keyup", function () { self.imeKey = false; });
    input.addEventListener("input", function () { self.updateCounter(); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var fromIme = self.imeKey;
      self.imeKey = false;
      if (self.composing || fromIme) return;
      if (self.send(input.value)) {
        input.value = "";
        self.updateCounter();
      }
    });

    root.appendChild(header);
    root.appendChild(log);
    root.appendChild(quick);
    root.appendChild(notice);
    root.appendChild(form);

    this.container.textContent = "";
    this.container.appendChild(root);
    this.root = root;
    this.log = log;
    this.notice = notice;
    this.input = input;
    this.counter = counter;
  };

  ChatWidget.prototype.updateCounter = function () {
    var n = Array.from(this.input.value).length;
    var near = n > this.opts.maxChars * 0.8;
    this.counter.hidden = !near;
    this.counter.textContent = n + "/" + this.opts.maxChars;
    this.counter.classList.toggle("vfc-counter-over", n > this.opts.maxChars);
  };

  ChatWidget.prototype.showNotice = function (message) {
    this.notice.textContent = message;
    this.notice.hidden = !message;
  };

  ChatWidget.prototype.renderAll = function () {
    var self = this;
    this.log.textContent = "";
    this.log.appendChild(this.renderWelcome());
    this.state.messages.forEach(function (m) { self.log.appendChild(self.renderEntry(m)); });
    this.scrollToEnd();
  };

  ChatWidget.prototype.renderWelcome = function () {
    var box = el("div", "vfc-msg vfc-msg-bot vfc-welcome");
    box.appendChild(visuallyHidden(TEXT.bot));
    WELCOME.forEach(function (para, i) {
      box.appendChild(el("p", i === WELCOME.length - 1 ? "vfc-text vfc-disclaimer" : "vfc-text", para));
    });
    return box;
  };

  ChatWidget.prototype.renderEntry = function (entry) {
    var self = this;
    if (entry.role === "user") {
      var mine = el("div", "vfc-msg vfc-msg-user");
      mine.appendChild(visuallyHidden(TEXT.you));
      mine.appendChild(el("p", "vfc-text", entry.text));
      return mine;
    }
    var box = el("div", "vfc-msg vfc-msg-bot");
    box.appendChild(visuallyHidden(TEXT.bot));
    var lines = String(entry.text).split("\n");
    var citedLine = null;
    if (lines.length && lines[lines.length - 1].indexOf(SOURCE_PREFIX) === 0) {
      citedLine = lines.pop();
    }
    var body = lines.join("\n").trim();
    box.appendChild(el("p", "vfc-text", body));
    if (entry.answer && entry.answer.kind) box.setAttribute("data-kind", entry.answer.kind);

    var sources = (entry.answer && entry.answer.sources) || [];
    if (sources.length) {
      sources.forEach(function (source, i) {
        box.appendChild(self.renderSource(source, i === 0 && citedLine ? citedLine : sourceLine(source),
          entry.answer.kind));
      });
    } else if (citedLine) {
      // An answer always names its source, even when the metadata is missing.
      box.appendChild(el("p", "vfc-source-line", citedLine));
    }

    if (entry.buttons && entry.buttons.length) {
      var row = el("div", "vfc-buttons");
      entry.buttons.forEach(function (b) {
        var btn = el("button", "vfc-chip", b.title);
        btn.type = "button";
        btn.addEventListener("click", function () { self.send(b.payload, { shown: b.title }); });
        row.appendChild(btn);
      });
      box.appendChild(row);
    }
    return box;
  };

  ChatWidget.prototype.renderSource = function (source, line, kind) {
    var details = el("details", "vfc-source");
    var summary = el("summary", "vfc-source-summary");
    summary.appendChild(el("span", "vfc-source-line", line));
    summary.appendChild(el("span", "vfc-expand", TEXT.expand));
    details.appendChild(summary);

    var inner = el("div", "vfc-source-body");
    inner.appendChild(el("p", "vfc-source-article", TEXT.article + (source.newspaper || "") + "《" +
      (source.article || "") + "》，" + chineseDate(source.date)));
    if (source.quote) {
      // A passage answer: the exact sentences found inside one of the
      // explainer's answers, and which question that answer belongs to.
      inner.appendChild(el("p", "vfc-quote-label", TEXT.passageQuote));
      inner.appendChild(el("blockquote", "vfc-quote", source.quote));
      if (source.question) inner.appendChild(el("p", "vfc-source-question", TEXT.fromQuestion + source.question));
    } else if (source.question) {
      // An FAQ answer is the expert's answer itself, so repeating it here would
      // only double the bubble; the question it answers is what to show.
      inner.appendChild(el("p", "vfc-quote-label", TEXT.question));
      inner.appendChild(el("blockquote", "vfc-quote", source.question));
      if (kind === "faq") inner.appendChild(el("p", "vfc-source-note", TEXT.faqNote));
    }
    details.appendChild(inner);
    return details;
  };

  ChatWidget.prototype.scrollToEnd = function () {
    this.log.scrollTop = this.log.scrollHeight;
  };

  ChatWidget.prototype.append = function (entry) {
    this.state.messages.push(entry);
    if (this.state.messages.length > MAX_STORED) {
      this.state.messages = this.state.messages.slice(-MAX_STORED);
    }
    this.store.save(this.state);
    this.log.appendChild(this.renderEntry(entry));
    this.scrollToEnd();
  };

  ChatWidget.prototype.showTyping = function () {
    var t = el("div", "vfc-msg vfc-msg-bot vfc-typing");
    t.appendChild(visuallyHidden(TEXT.typing));
    var dots = el("span", "vfc-dots");
    dots.setAttribute("aria-hidden", "true");
    for (var i = 0; i < 3; i++) dots.appendChild(el("span", "vfc-dot"));
    t.appendChild(dots);
    this.log.appendChild(t);
    this.typing = t;
    this.scrollToEnd();
  };

  ChatWidget.prototype.hideTyping = function () {
    if (this.typing && this.typing.parentNode) this.typing.parentNode.removeChild(this.typing);
    this.typing = null;
  };

  ChatWidget.prototype.clearError = function () {
    if (this.errorBox && this.errorBox.parentNode) this.errorBox.parentNode.removeChild(this.errorBox);
    this.errorBox = null;
  };

  ChatWidget.prototype.showError = function (message, question) {
    var self = this;
    this.clearError();
    var box = el("div", "vfc-error");
    box.setAttribute("role", "alert");
    box.appendChild(el("p", "vfc-error-text", message));
    var retry = el("button", "vfc-retry", TEXT.retry);
    retry.type = "button";
    retry.addEventListener("click", function () {
      // The button disappears with the box; keep keyboard users in place.
      self.input.focus();
      self.send(question, { retry: true });
    });
    box.appendChild(retry);
    this.log.appendChild(box);
    this.errorBox = box;
    this.scrollToEnd();
  };

  // Returns true when the question was accepted (so the caller may clear the input).
  ChatWidget.prototype.send = function (raw, how) {
    var self = this;
    how = how || {};
    if (this.busy) {
      this.showNotice(TEXT.busy);
      return false;
    }
    var checked = checkQuestion(raw, this.opts.maxChars);
    if (checked.error) {
      this.showNotice(checked.error);
      return false;
    }
    this.showNotice("");
    this.clearError();
    if (!how.retry) this.append({ role: "user", text: how.shown || String(raw).trim() });

    this.busy = true;
    this.root.setAttribute("aria-busy", "true");
    this.showTyping();
    this.post(checked.text).then(function (messages) {
      var entries = entriesFromRasa(messages);
      self.hideTyping();
      if (!entries.length) {
        self.showError(TEXT.noAnswer, raw);
        return;
      }
      entries.forEach(function (e) { self.append(e); });
    }, function (err) {
      self.hideTyping();
      self.showError(err && err.userMessage ? err.userMessage : TEXT.unreachable, raw);
    }).then(function () {
      self.busy = false;
      self.root.removeAttribute("aria-busy");
    });
    return true;
  };

  ChatWidget.prototype.post = function (text) {
    var controller = typeof AbortController === "function" ? new AbortController() : null;
    var timedOut = false;
    var timer = controller ? setTimeout(function () { timedOut = true; controller.abort(); }, this.opts.timeoutMs) : null;
    function fail(message) {
      var err = new Error(message);
      err.userMessage = message;
      throw err;
    }
    return fetch(this.opts.server + "/webhooks/rest/webhook", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: this.state.sender, message: text }),
      signal: controller ? controller.signal : undefined,
      credentials: "omit",
      cache: "no-store"
    }).then(function (resp) {
      if (!resp.ok) fail(TEXT.serverError.replace("{code}", String(resp.status)));
      return resp.json().catch(function () { fail(TEXT.noAnswer); });
    }, function () {
      fail(timedOut ? TEXT.timeout : TEXT.unreachable);
    }).then(function (value) {
      clearTimeout(timer);
      return value;
    }, function (err) {
      clearTimeout(timer);
      throw err;
    });
  };

  ChatWidget.prototype.reset = function () {
    this.store.clear();
    this.state = { sender: randomId(), messages: [] };
    this.showNotice("");
    this.errorBox = null;
    this.typing = null;
    this.renderAll();
    this.input.focus();
  };

  // ---------- mounting ----------

  function ensureStylesheet(script) {
    if (!script || script.getAttribute("data-css") === "none" || !script.src) return;
    var href = new URL("widget.css", script.src).href;
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    for (var i = 0; i < links.length; i++) if (links[i].href === href) return;
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    document.head.appendChild(link);
  }

  function mount(target, options) {
    var container = typeof target === "string" ? document.querySelector(target) : target;
    if (!container) throw new Error("vaccine-faq-chat: no container " + String(target));
    if (container.vaccineFaqChat) return container.vaccineFaqChat;
    var widget = new ChatWidget(container, resolveOptions(container, SCRIPT, options));
    container.vaccineFaqChat = widget;
    return widget;
  }

  function autoMount() {
    var selector = (SCRIPT && SCRIPT.getAttribute("data-target")) ||
      (window.VACCINE_FAQ_CHAT_CONFIG && window.VACCINE_FAQ_CHAT_CONFIG.target) || DEFAULTS.target;
    var container = document.querySelector(selector);
    if (!container) {
      // Still usable with the script tag alone: put the chat where the tag is.
      container = document.createElement("div");
      if (SCRIPT && SCRIPT.parentNode && SCRIPT.parentNode !== document.head) {
        SCRIPT.parentNode.insertBefore(container, SCRIPT.nextSibling);
      } else {
        document.body.appendChild(container);
      }
    }
    mount(container);
  }

  window.VaccineFaqChat = { mount: mount, checkQuestion: checkQuestion, entriesFromRasa: entriesFromRasa };
  ensureStylesheet(SCRIPT);
  if (!SCRIPT || SCRIPT.getAttribute("data-auto") !== "false") {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", autoMount);
    else autoMount();
  }
})();
