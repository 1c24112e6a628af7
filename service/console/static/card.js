// One comment as a card: every field of the comment is rendered as text.

import { clear, el, safeUrl } from "./dom.js";
import { formatTime, t } from "./i18n.js";
import { highlighted } from "./spans.js";

const ACTIONS = [
  ["approve", "a_approve"],
  ["reject", "a_reject"],
  ["spam", "a_spam"],
  ["edit", "a_edit"],
  ["ban", "a_ban"],
  ["context", "a_context"],
];

function articleLinks(comment) {
  const filter = el(
    "button",
    { type: "button", class: "link article", "data-action": "article" },
    comment.article,
  );
  const url = safeUrl(comment.article);
  const open = url && el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, t("external"));
  return [filter, open];
}

function personal(comment, revealed) {
  const shown = revealed || comment;
  const parts = [];
  if (shown.phone) parts.push(el("span", { class: "phone" }, `${t("phone")} ${shown.phone}`));
  if (shown.ip) parts.push(el("span", { class: "ip" }, `${t("ip")} ${shown.ip}`));
  if (!revealed && (comment.phone || comment.ip)) {
    parts.push(el("button", { type: "button", class: "small", "data-action": "reveal" }, t("a_reveal")));
  }
  return parts;
}

function verdict(comment) {
  const reasons = comment.verdict?.reasons || [];
  const score = comment.verdict ? t("score", { score: comment.verdict.score.toFixed(2) }) : t("unscored");
  const items = reasons.map((r) =>
    el(
      "li",
      { dataset: { code: r.code }, class: r.spans?.length ? "located" : null },
      el("code", {}, r.code),
      ` ${r.weight >= 0 ? "+" : ""}${r.weight.toFixed(1)} `,
      el("span", { class: "detail" }, r.detail || ""),
    ),
  );
  return el(
    "div",
    { class: "verdict" },
    el("span", { class: "score" }, score),
    items.length ? el("ul", { class: "reasons", "aria-label": t("reasons") }, items) : null,
  );
}

/** The card of `comment` (`view`: {selected, revealed, notice}). */
export function renderCard(comment, view = {}) {
  const reasons = comment.verdict?.reasons || [];
  const head = el(
    "div",
    { class: "card-head" },
    el(
      "label",
      { class: "pick" },
      el("input", { type: "checkbox", "data-action": "select", checked: !!view.selected }),
      el("span", { class: "visually-hidden" }, t("a_select")),
    ),
    el("span", { class: "name" }, comment.name),
    el("time", { datetime: comment.created_at }, formatTime(comment.created_at)),
    el("span", { class: `status status-${comment.status}` }, t(`st_${comment.status}`)),
    articleLinks(comment),
    personal(comment, view.revealed),
  );
  const buttons = ACTIONS.map(([action, label]) =>
    el("button", { type: "button", "data-action": action }, t(label)),
  );
  return el(
    "li",
    {
      class: `card${view.selected ? " selected" : ""}${view.notice ? " conflict" : ""}`,
      tabindex: "-1",
      dataset: { id: comment.id },
    },
    head,
    el("h3", { class: "title" }, highlighted(comment.title, reasons, "title")),
    el("p", { class: "content" }, highlighted(comment.content, reasons, "content")),
    verdict(comment),
    view.notice ? el("p", { class: "notice", role: "alert" }, view.notice) : null,
    el("div", { class: "actions" }, buttons),
  );
}

/** An inline form to edit the card's title and content; `done(fields)` or `done(null)`. */
export function openEditor(card, comment, done) {
  const title = el("input", { name: "title", value: comment.title, maxlength: 200 });
  const content = el("textarea", { name: "content", rows: 6 });
  content.value = comment.content;
  const save = el("button", { type: "submit" }, t("save_approve"));
  const cancel = el("button", { type: "button" }, t("cancel"));
  const form = el(
    "form",
    { class: "editor" },
    el("label", {}, t("edit_title"), title),
    el("label", {}, t("edit_content"), content),
    el("div", { class: "actions" }, save, cancel),
  );
  const finish = (fields) => {
    form.remove();
    done(fields);
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    finish({ title: title.value, content: content.value });
  });
  form.addEventListener("keydown", (event) => {
    if (event.key === "Escape") finish(null);
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) form.requestSubmit();
    event.stopPropagation();
  });
  cancel.addEventListener("click", () => finish(null));
  card.querySelector(".actions").before(form);
  content.focus();
}

/** A short line for a context list: status, time, title. */
export function renderMini(comment) {
  return el(
    "li",
    {},
    el("span", { class: `status status-${comment.status}` }, t(`st_${comment.status}`)),
    " ",
    el("time", { datetime: comment.created_at }, formatTime(comment.created_at)),
    " ",
    el("strong", {}, comment.title),
    el("span", { class: "mini-content" }, comment.content),
  );
}

export { clear };
