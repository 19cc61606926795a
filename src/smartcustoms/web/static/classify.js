// HS code search-as-you-type: GET /api/v1/classify (same-origin session cookie), debounced;
// choosing a suggestion inserts its code at the cursor of the declaration textarea, or fills the
// HS code field (class "hs-code") of the declaration form that last had the focus.
(function () {
  "use strict";
  const input = document.getElementById("hs-finder-input");
  const list = document.getElementById("hs-finder-results");
  const status = document.getElementById("hs-finder-status");
  let target = document.getElementById("document") || document.querySelector(".hs-code");
  // Every text shown comes from the page's message catalogue (a JSON block the template
  // renders); "{name}" fields are filled here.
  const messagesBlock = document.getElementById("hs-finder-messages");
  const messages = messagesBlock ? JSON.parse(messagesBlock.textContent) : {};
  function say(key, values) {
    let text = messages[key] || key;
    for (const [name, value] of Object.entries(values || {})) {
      text = text.split("{" + name + "}").join(value);
    }
    return text;
  }
  document.addEventListener("focusin", (ev) => {
    const el = ev.target;
    if (el && el.classList && el.classList.contains("hs-code")) target = el;
  });
  // The declaration form: typing an item's description searches for its HS code, and a
  // suggestion chosen then fills that item's HS code field.
  document.addEventListener("input", (ev) => {
    const el = ev.target;
    if (!input || !el || !el.classList || !el.classList.contains("hs-description")) return;
    const row = el.closest(".item-row");
    const code = row && row.querySelector(".hs-code");
    if (code) target = code;
    input.value = el.value;
    input.dispatchEvent(new Event("input"));
  });
  if (!input || !list) return;
  let timer = null;
  let seq = 0;
  let caret = null;
  if (target) {
    const remember = () => { caret = [target.selectionStart, target.selectionEnd]; };
    target.addEventListener("keyup", remember);
    target.addEventListener("click", remember);
    target.addEventListener("blur", remember);
  }

  function insert(code) {
    if (!target) return;
    if (target.tagName === "INPUT") {
      target.value = code;
      target.focus();
      status.textContent = say("inserted", { code: code });
      return;
    }
    const [start, end] = caret || [target.value.length, target.value.length];
    target.value = target.value.slice(0, start) + code + target.value.slice(end);
    target.focus();
    target.setSelectionRange(start, start + code.length);
    target.dispatchEvent(new Event("input"));
    status.textContent = say("inserted", { code: code });
  }

  function show(results) {
    list.replaceChildren();
    const result = results[0];
    if (!result || result.error) {
      status.textContent = result && result.error ? result.error.message : say("none");
      return;
    }
    const vague = result.vagueness || {};
    const missing = (vague.missing || []).join("; ");
    status.textContent = vague.vague
      ? say("vague", { missing: missing })
      : missing ? say("would_help", { missing: missing }) : "";
    for (const s of result.suggestions) {
      const li = document.createElement("li");
      const button = document.createElement("button");
      button.type = "button";
      button.className = "hs-finder-pick";
      button.dataset.code = s.hs_code;
      const code = document.createElement("strong");
      code.textContent = s.hs_code.slice(0, 4) + "." + s.hs_code.slice(4);
      const conf = document.createElement("span");
      conf.classList.add("decl-muted");
      conf.textContent = " " + Math.round(s.confidence * 100) + "% ";
      const text = document.createElement("span");
      text.textContent = s.description;
      button.append(code, conf, text);
      button.addEventListener("click", () => insert(s.hs_code));
      const why = document.createElement("div");
      why.classList.add("decl-muted", "hs-finder-why");
      const path = (s.path || []).map((p) => p.code).join(" › ");
      const words = (s.matched_words || []).join(", ");
      why.textContent = words ? path + " · " + say("matched", { words: words }) : path;
      li.append(button, why);
      list.append(li);
    }
  }

  async function search(text) {
    const mine = ++seq;
    status.textContent = say("searching");
    try {
      // A GET: the API takes the page's session cookie for reads only (docs/security.md).
      const query = new URLSearchParams({ description: text, top: "5" });
      const response = await fetch("/api/v1/classify?" + query.toString(), {
        method: "GET",
        credentials: "same-origin",
        headers: { "Accept": "application/json" },
      });
      const doc = await response.json();
      if (mine !== seq) return; // a newer search is under way
      if (!response.ok) {
        list.replaceChildren();
        status.textContent = doc.message || doc.detail || say("unavailable");
        return;
      }
      show(doc.results);
    } catch (err) {
      if (mine === seq) status.textContent = say("unreachable");
    }
  }

  input.addEventListener("input", () => {
    clearTimeout(timer);
    const text = input.value.trim();
    if (text.length < 3) {
      seq++;
      list.replaceChildren();
      status.textContent = "";
      return;
    }
    timer = setTimeout(() => search(text), 250);
  });
})();
