/*
 * 新冠疫苗接种问答 — web chat widget for the Rasa REST channel.
 *
 * Embed with one tag and a container:
 *   <div id="vaccine-faq-chat"></div>
 *   <script src="https://bot.example.org/widget.js"
 *           data-server="https://bot.example.org:5005" defer></script>
 *
 * Or as a floating launcher bubble on any page (a CDC site), with no container:
 *   <script src="https://bot.example.org/widget.js"
 *           data-server="https://bot.example.org:5005" data-launcher="疫苗问答" defer></script>
 *
 * No dependencies and no build step, so any site can host it as is.
 * Every piece of user or bot text goes through textContent or createTextNode:
 * the widget never parses a string as HTML (12320 becomes a tel: link by
 * building the <a> element, not by writing markup).
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
    // The welcome's menu: each chip answers its FAQ directly (a Rasa payload,
    // parsed without NLU), so a first tap never ends in a clarification. A
    // plain string is sent as a typed question instead.
    quickReplies: [
      { title: "哪些人可以接种？", payload: '/choose_faq{"faq_id":"eligibility"}' },
      { title: "有哪些疫苗？", payload: '/choose_faq{"faq_id":"vaccine_types"}' },
      { title: "加强针怎么打？", payload: '/choose_faq{"faq_id":"booster_schedule"}' },
      { title: "加强针的接种对象？", payload: '/choose_faq{"faq_id":"booster_target"}' }
    ]
  };
  // The bot writes its source line in the user's script (bot/text/script.py).
  var SOURCE_PREFIXES = ["【来源】", "【來源】"];
  var HOTLINE = "12320";
  // Hints that text channels (WeCom, 公众号) need and the widget replaces with
  // controls: they are dropped from the bubble if a server sends them anyway.
  var TEXT_CHANNEL_HINTS = [
    /^[（(]回[复覆][“"]?全文[”"]?.*[）)]$/,
    /^[（(]?回[复覆]\s*1\s*有用.*$/,
    /^[（(]回[复覆]数字即可选择[）)]$/,
    /^[（(]回[覆復]數字即可選擇[）)]$/
  ];
  var LARGE_TEXT_KEY = "vaccine-faq-chat:large-text";
  var MAX_STORED = 200;
  var STORAGE_VERSION = 1;
  var instanceCount = 0;

  var WELCOME = [
    "您好！我是新冠疫苗接种问答助手，可以回答以下问题：哪些人可以接种、我市有哪些新冠疫苗、加强针怎么打、哪些人需要打加强针等。",
    "所有回答都出自大同日报《市疾控中心专家就新冠病毒疫苗接种再释疑》（2022年5月），每条回答都注明出处，可展开查看原文。资料发布于2022年5月，接种政策可能已有调整，请以当地最新通知为准。",
    "本助手提供的是公开资料，不构成医疗建议。身体状况、接种禁忌等个人问题，请咨询接种点医生、当地疾控中心或拨打12320卫生健康热线。"
  ];

  var TEXT = {
    largeText: "长辈模式",
    largeTextLabel: "长辈模式：放大字号",
    close: "关闭",
    closeLabel: "关闭问答窗口",
    launcher: "疫苗问答",
    launcherLabel: "打开新冠疫苗接种问答",
    optionsLabel: "可选问题",
    callHotline: "拨打12320卫生健康热线",
    you: "您：",
    bot: "助手：",
    typing: "助手正在输入…",
    placeholder: "请输入您的问题",
    inputLabel: "输入您的问题",
    send: "发送",
    reset: "新对话",
    resetLabel: "清空对话记录，开始新对话",
    quickLabel: "常见问题",
    logLabel: "对话记录",
    retry: "重试",
    empty: "请输入您想咨询的新冠疫苗接种问题。",
    busy: "请稍候，上一个问题还在回答中。",
    unreachable: "无法连接到问答服务，请检查网络连接后重试。",
    timeout: "问答服务长时间没有回应，请稍后重试。",
    serverError: "问答服务暂时出现问题（错误代码 {code}），请稍后重试。",
    noAnswer: "没有收到问答服务的回答，请稍后重试。"
  };

  // Labels inside a bot bubble, in the script the bubble is written in, so a
  // Traditional answer does not come with Simplified controls.
  var ANSWER_LABELS = {
    hans: {
      expand: "展开原文", expandFull: "展开全文", collapseFull: "收起全文",
      article: "出处：", question: "原文问题：", fromQuestion: "出自答问：", passageQuote: "原文摘录：",
      faqNote: "上面的回答摘自专家对这个问题的答复。", feedbackAsk: "这个回答有用吗？",
      feedbackThanks: "谢谢您的反馈！", hotline: "卫生健康热线："
    },
    hant: {
      expand: "展開原文", expandFull: "展開全文", collapseFull: "收起全文",
      article: "出處：", question: "原文問題：", fromQuestion: "出自答問：", passageQuote: "原文摘錄：",
      faqNote: "上面的回答摘自專家對這個問題的答覆。", feedbackAsk: "這個回答有用嗎？",
      feedbackThanks: "謝謝您的回饋！", hotline: "衛生健康熱線："
    }
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

  // Text with every 12320 as a tap-to-call link, built node by node.
  function appendWithHotline(node, text) {
    text = String(text);
    var digits = /\d+/g;
    var done = 0;
    var match;
    while ((match = digits.exec(text)) !== null) {
      if (match[0] !== HOTLINE) continue;  // 123205 or a date is not the hotline
      if (match.index > done) node.appendChild(document.createTextNode(text.slice(done, match.index)));
      var link = el("a", "vfc-tel", HOTLINE);
      link.href = "tel:" + HOTLINE;
      link.setAttribute("aria-label", TEXT.callHotline);
      node.appendChild(link);
      done = match.index + match[0].length;
    }
    if (done < text.length) node.appendChild(document.createTextNode(text.slice(done)));
    return node;
  }

  function elWithHotline(tag, className, text) {
    return appendWithHotline(el(tag, className), text);
  }

  function isSourceLine(line) {
    return SOURCE_PREFIXES.some(function (p) { return String(line).indexOf(p) === 0; });
  }

  function isHint(line) {
    var trimmed = String(line).trim();
    return TEXT_CHANNEL_HINTS.some(function (re) { return re.test(trimmed); });
  }

  function isFeedbackPayload(payload) {
    return /^\/feedback(\{|$)/.test(String(payload));
  }

  function feedbackValue(payload) {
    try {
      var value = JSON.parse(String(payload).slice("/feedback".length)).value;
      return typeof value === "string" ? value : String(payload);
    } catch (e) {
      return String(payload);
    }
  }

  // Splits an answer text into its body and its trailing source line.
  function splitCitation(text) {
    var lines = String(text || "").split("\n").filter(function (l) { return !isHint(l); });
    var cited = null;
    if (lines.length && isSourceLine(lines[lines.length - 1])) cited = lines.pop();
    return { body: lines.join("\n").trim(), cited: cited };
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
    var line = SOURCE_PREFIXES[0] + (source.newspaper || "") + "《" + (source.article || "") + "》（" +
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
      // Both full_answer_modes look the same here: the lead in the bubble, the
      // whole answer behind 展开全文 (text channels tell the two apart).
      fullAnswer: typeof answer.full_answer === "string" && answer.full_answer.trim() ? answer.full_answer : null,
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
      var buttons = (Array.isArray(m.buttons) ? m.buttons : []).filter(function (b) {
        return b && typeof b === "object" && b.title;
      }).map(function (b) {
        return { title: String(b.title), payload: String(b.payload || b.title) };
      });
      if (buttons.length && !last) {
        last = { role: "bot", text: "" };
        entries.push(last);
      }
      if (buttons.length) {
        // 有用/没用 become small controls under the answer; the rest are options.
        var options = buttons.filter(function (b) { return !isFeedbackPayload(b.payload); });
        var feedback = buttons.filter(function (b) { return isFeedbackPayload(b.payload); });
        if (options.length) last.buttons = (last.buttons || []).concat(options);
        if (feedback.length) {
          last.feedback = {
            chosen: null,
            options: feedback.map(function (b) {
              return { title: b.title, payload: b.payload, value: feedbackValue(b.payload) };
            })
          };
        }
      }
      if (m.custom && m.custom.answer && last && !last.answer) {
        last.answer = pickAnswer(m.custom.answer);
      }
    });
    return entries;
  }

  // data-launcher="" or "true": a bubble labelled 疫苗问答; any other text
  // labels the bubble; absent or "false": the chat sits in its container.
  function launcherLabel(value) {
    if (value === undefined || value === null || value === false || value === "false") return null;
    if (value === true || value === "" || value === "true") return TEXT.launcher;
    return String(value);
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
    // A bare data-launcher attribute (empty value) switches the bubble on.
    function launcherSetting() {
      if (options.launcher !== undefined) return options.launcher;
      var nodes = [container, script];
      for (var i = 0; i < nodes.length; i++) {
        if (nodes[i] && nodes[i].hasAttribute("data-launcher")) return nodes[i].getAttribute("data-launcher");
      }
      return global.launcher;
    }
    var timeout = parseInt(pick("timeoutMs", "timeout"), 10);
    var maxChars = parseInt(pick("maxChars", "max-chars"), 10);
    return {
      server: String(pick("server", "server")).replace(/\/+$/, ""),
      timeoutMs: timeout > 0 ? timeout : DEFAULTS.timeoutMs,
      maxChars: maxChars > 0 ? maxChars : DEFAULTS.maxChars,
      title: String(pick("title", "title")),
      launcher: launcherLabel(launcherSetting()),
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
    this.fullCount = 0;  // ids for the full-answer panels (aria-controls)
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
    root.id = this.id;
    root.setAttribute("aria-labelledby", this.id + "-title");

    var header = el("header", "vfc-header");
    var title = el("h2", "vfc-title", this.opts.title);
    title.id = this.id + "-title";
    var tools = el("div", "vfc-tools");
    // 长辈模式: a toggle button (aria-pressed), remembered per browser.
    var large = el("button", "vfc-large-toggle", TEXT.largeText);
    large.type = "button";
    large.setAttribute("aria-label", TEXT.largeTextLabel);
    large.addEventListener("click", function () { self.setLargeText(!self.largeText, true); });
    var reset = el("button", "vfc-reset", TEXT.reset);
    reset.type = "button";
    reset.setAttribute("aria-label", TEXT.resetLabel);
    reset.addEventListener("click", function () { self.reset(); });
    tools.appendChild(large);
    tools.appendChild(reset);
    if (this.opts.launcher) {
      var close = el("button", "vfc-close", "×");
      close.type = "button";
      close.setAttribute("aria-label", TEXT.closeLabel);
      close.title = TEXT.close;
      close.addEventListener("click", function () { self.close(); });
      tools.appendChild(close);
    }
    header.appendChild(title);
    header.appendChild(tools);

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
      var title = typeof q === "string" ? q : String(q.title);
      var payload = typeof q === "string" ? q : String(q.payload || q.title);
      var b = el("button", "vfc-chip", title);
      b.type = "button";
      b.addEventListener("click", function () { self.send(payload, { shown: title }); });
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
    this.largeButton = large;
    this.setLargeText(loadLargeText(), false);
    if (this.opts.launcher) this.buildLauncher();
  };

  function loadLargeText() {
    try { return window.localStorage.getItem(LARGE_TEXT_KEY) === "1"; } catch (e) { return false; }
  }

  ChatWidget.prototype.setLargeText = function (on, remember) {
    this.largeText = !!on;
    this.root.classList.toggle("vfc-large", this.largeText);
    this.largeButton.setAttribute("aria-pressed", this.largeText ? "true" : "false");
    if (remember) {
      try {
        if (this.largeText) window.localStorage.setItem(LARGE_TEXT_KEY, "1");
        else window.localStorage.removeItem(LARGE_TEXT_KEY);
      } catch (e) { /* private mode: the choice lasts until reload */ }
    }
    this.scrollToEnd();
  };

  // ---------- launcher bubble ----------

  ChatWidget.prototype.buildLauncher = function () {
    var self = this;
    var bubble = el("button", "vfc-launcher");
    bubble.type = "button";
    bubble.setAttribute("aria-label", TEXT.launcherLabel);
    bubble.setAttribute("aria-controls", this.root.id);
    bubble.setAttribute("aria-expanded", "false");
    bubble.appendChild(chatIcon());
    bubble.appendChild(el("span", "vfc-launcher-text", this.opts.launcher));
    bubble.addEventListener("click", function () { self.open(); });
    this.root.classList.add("vfc-panel");
    this.root.setAttribute("role", "dialog");
    this.root.hidden = true;
    this.root.addEventListener("keydown", function (event) {
      if (event.key === "Escape") self.close();
    });
    this.container.appendChild(bubble);
    this.launcher = bubble;
  };

  ChatWidget.prototype.open = function () {
    if (!this.launcher) return;
    this.root.hidden = false;
    this.launcher.hidden = true;
    this.launcher.setAttribute("aria-expanded", "true");
    this.scrollToEnd();
    this.input.focus();
  };

  ChatWidget.prototype.close = function () {
    if (!this.launcher) return;
    this.root.hidden = true;
    this.launcher.hidden = false;
    this.launcher.setAttribute("aria-expanded", "false");
    this.launcher.focus();
  };

  function chatIcon() {
    // Built as SVG nodes, so no markup string and nothing for the CSP to block.
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    svg.setAttribute("class", "vfc-launcher-icon");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z" +
      "M7 9.5h10M7 13h6");
    path.setAttribute("fill", "none");
    path.setAttribute("stroke", "currentColor");
    path.setAttribute("stroke-width", "2");
    path.setAttribute("stroke-linecap", "round");
    path.setAttribute("stroke-linejoin", "round");
    svg.appendChild(path);
    return svg;
  }

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
      box.appendChild(elWithHotline("p", i === WELCOME.length - 1 ? "vfc-text vfc-disclaimer" : "vfc-text", para));
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
    var answer = entry.answer || null;
    var kind = answer && answer.kind;
    var box = el("div", "vfc-msg vfc-msg-bot");
    box.appendChild(visuallyHidden(TEXT.bot));
    if (kind) box.setAttribute("data-kind", kind);

    var split = splitCitation(entry.text);
    // The server writes in the user's script; the bubble's own labels follow
    // it, read from the 【來源】 line or the 沒用 button.
    var traditional = (split.cited && split.cited.indexOf(SOURCE_PREFIXES[1]) === 0) ||
      (entry.feedback && entry.feedback.options.some(function (o) { return o.title === "沒用"; }));
    var labels = ANSWER_LABELS[traditional ? "hant" : "hans"];
    if (split.body) box.appendChild(elWithHotline("p", "vfc-text", split.body));
    if (answer && answer.fullAnswer) box.appendChild(this.renderFullAnswer(answer.fullAnswer, split, labels));

    var sources = (answer && answer.sources) || [];
    if (sources.length) {
      sources.forEach(function (source, i) {
        box.appendChild(self.renderSource(source, i === 0 && split.cited ? split.cited : sourceLine(source),
          kind, labels));
      });
    } else if (split.cited) {
      // An answer always names its source, even when the metadata is missing.
      box.appendChild(el("p", "vfc-source-line", split.cited));
    }

    if (kind === "decline" && String(entry.text).indexOf(HOTLINE) < 0) {
      // Every decline points to the hotline, as a number one can tap.
      box.appendChild(elWithHotline("p", "vfc-hotline", labels.hotline + HOTLINE));
    }

    var buttons = (entry.buttons || []).filter(function (b) {
      // The widget shows the full answer in place; a 全文 button would only repeat it.
      return !(answer && answer.fullAnswer && b.payload === "/show_full_answer");
    });
    if (buttons.length) box.appendChild(this.renderOptions(buttons, kind));
    if (entry.feedback && entry.feedback.options.length) box.appendChild(this.renderFeedback(entry, labels));
    return box;
  };

  // The lead sentence(s) stay visible; the whole FAQ answer waits behind a
  // toggle button (aria-expanded), so a phone screen is not filled by it.
  ChatWidget.prototype.renderFullAnswer = function (fullAnswer, split, labels) {
    var wrap = el("div", "vfc-full");
    var full = splitCitation(fullAnswer);
    var panel = el("div", "vfc-full-body");
    panel.id = this.id + "-full-" + (++this.fullCount);
    panel.hidden = true;
    panel.appendChild(elWithHotline("p", "vfc-full-text", full.body));
    // Its source line only when it is not the one the bubble already shows.
    if (full.cited && full.cited !== split.cited) panel.appendChild(el("p", "vfc-source-line", full.cited));
    var toggle = el("button", "vfc-full-toggle", labels.expandFull);
    toggle.type = "button";
    toggle.setAttribute("aria-expanded", "false");
    toggle.setAttribute("aria-controls", panel.id);
    toggle.addEventListener("click", function () {
      var open = toggle.getAttribute("aria-expanded") !== "true";
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
      toggle.textContent = open ? labels.collapseFull : labels.expandFull;
      panel.hidden = !open;
    });
    wrap.appendChild(toggle);
    wrap.appendChild(panel);
    return wrap;
  };

  // Clarification options, 猜你想问 and form choices: tapping one sends its
  // payload and shows its title as what the user said.
  ChatWidget.prototype.renderOptions = function (buttons, kind) {
    var self = this;
    var row = el("div", kind === "clarify" || kind === "decline" ? "vfc-buttons vfc-options" : "vfc-buttons");
    row.setAttribute("role", "group");
    row.setAttribute("aria-label", TEXT.optionsLabel);
    buttons.forEach(function (b) {
      var btn = el("button", b.payload === "/none_of_these" ? "vfc-chip vfc-chip-none" : "vfc-chip", b.title);
      btn.type = "button";
      btn.addEventListener("click", function () { self.send(b.payload, { shown: b.title }); });
      row.appendChild(btn);
    });
    return row;
  };

  // 有用/没用: small controls; one tap sends the payload, without a user
  // bubble, and leaves both disabled with a thank-you that survives a reload.
  ChatWidget.prototype.renderFeedback = function (entry, labels) {
    var self = this;
    var fb = entry.feedback;
    var group = el("div", "vfc-feedback");
    group.setAttribute("role", "group");
    group.setAttribute("aria-label", labels.feedbackAsk);
    group.appendChild(el("span", "vfc-feedback-ask", labels.feedbackAsk));
    fb.options.forEach(function (option) {
      var btn = el("button", "vfc-feedback-btn vfc-feedback-" + option.value.replace(/[^a-z]/gi, ""), option.title);
      btn.type = "button";
      var chosen = fb.chosen === option.value;
      btn.setAttribute("aria-pressed", chosen ? "true" : "false");
      btn.disabled = !!fb.chosen;
      btn.addEventListener("click", function () {
        if (fb.chosen) return;
        if (self.busy) {
          self.showNotice(TEXT.busy);
          return;
        }
        if (!self.send(option.payload, { silent: true })) return;
        fb.chosen = option.value;
        self.store.save(self.state);
        var fresh = self.renderFeedback(entry, labels);
        group.parentNode.replaceChild(fresh, group);
        fresh.focus();
      });
      group.appendChild(btn);
    });
    if (fb.chosen) {
      // tabindex -1: focus lands here after the tap, as the buttons go disabled.
      group.tabIndex = -1;
      group.appendChild(el("span", "vfc-feedback-thanks", labels.feedbackThanks));
    }
    return group;
  };

  ChatWidget.prototype.renderSource = function (source, line, kind, labels) {
    labels = labels || ANSWER_LABELS.hans;
    var details = el("details", "vfc-source");
    var summary = el("summary", "vfc-source-summary");
    summary.appendChild(el("span", "vfc-source-line", line));
    summary.appendChild(el("span", "vfc-expand", labels.expand));
    details.appendChild(summary);

    var inner = el("div", "vfc-source-body");
    inner.appendChild(el("p", "vfc-source-article", labels.article + (source.newspaper || "") + "《" +
      (source.article || "") + "》，" + chineseDate(source.date)));
    if (source.quote) {
      // A passage answer: the exact sentences found inside one of the
      // explainer's answers, and which question that answer belongs to.
      inner.appendChild(el("p", "vfc-quote-label", labels.passageQuote));
      inner.appendChild(el("blockquote", "vfc-quote", source.quote));
      if (source.question) inner.appendChild(el("p", "vfc-source-question", labels.fromQuestion + source.question));
    } else if (source.question) {
      // An FAQ answer is the expert's answer itself, so repeating it here would
      // only double the bubble; the question it answers is what to show.
      inner.appendChild(el("p", "vfc-quote-label", labels.question));
      inner.appendChild(el("blockquote", "vfc-quote", source.question));
      if (kind === "faq") inner.appendChild(el("p", "vfc-source-note", labels.faqNote));
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
    if (!how.retry && !how.silent) this.append({ role: "user", text: how.shown || String(raw).trim() });

    this.busy = true;
    this.root.setAttribute("aria-busy", "true");
    this.showTyping();
    this.post(checked.text).then(function (messages) {
      var entries = entriesFromRasa(messages);
      self.hideTyping();
      if (!entries.length) {
        // Feedback may be recorded without a reply; a question never is.
        if (!how.silent) self.showError(TEXT.noAnswer, raw);
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
    var global = window.VACCINE_FAQ_CHAT_CONFIG || {};
    var selector = (SCRIPT && SCRIPT.getAttribute("data-target")) || global.target || DEFAULTS.target;
    var wantsLauncher = SCRIPT && SCRIPT.hasAttribute("data-launcher") ?
      launcherLabel(SCRIPT.getAttribute("data-launcher")) : launcherLabel(global.launcher);
    // A launcher floats over the page: it needs no container of the page's own.
    var container = wantsLauncher ? null : document.querySelector(selector);
    if (wantsLauncher) {
      container = document.createElement("div");
      document.body.appendChild(container);
    } else if (!container) {
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
