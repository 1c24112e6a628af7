// The context of the current comment: its author's other comments (with their record),
// the article's other comments, and the edit history.

import { api } from "./api.js";
import { renderMini } from "./card.js";
import { el } from "./dom.js";
import { formatTime, t } from "./i18n.js";

const STATUSES = ["pending", "approved", "spam", "rejected"];
const SHOWN = 20;

export class Context {
  constructor(panel) {
    this.panel = panel;
    this.part = (id) => panel.querySelector(`#${id}`);
    this.showing = null;
    this.timer = null;
  }

  get open() {
    return !this.panel.hidden;
  }

  toggle(comment) {
    if (this.open) this.close();
    else this.show(comment);
  }

  close() {
    this.panel.hidden = true;
    this.showing = null;
  }

  /** Follow the current comment while open, without a request per key press. */
  follow(comment) {
    if (!this.open || !comment || comment.id === this.showing) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.show(comment), 250);
  }

  async show(comment) {
    if (!comment) return;
    this.panel.hidden = false;
    this.showing = comment.id;
    const [author, article, edits] = await Promise.all([
      api.queue({ same_author_as: comment.id, limit: SHOWN }),
      api.queue({ site: comment.site, article: comment.article, status: STATUSES, limit: SHOWN }),
      api.edits(comment.id),
    ]).catch(() => [null, null, null]);
    if (this.showing !== comment.id || !author) return;
    this.part("author-counts").textContent = t("author_counts", author.author);
    this.list("author-comments", author.items.map(renderMini));
    const others = article.items.filter((c) => c.id !== comment.id);
    this.list("article-comments", others.map(renderMini));
    this.list("edit-history", edits.items.map((e, i) => this.edit(e, i)));
  }

  edit(entry, i) {
    const label = i === 0 ? t("original") : "";
    return el(
      "li",
      {},
      el("span", {}, label, " ", t("edited_at", { time: formatTime(entry.edited_at) })),
      el("strong", {}, entry.title),
      el("span", { class: "mini-content" }, entry.content),
    );
  }

  list(id, items) {
    const target = this.part(id);
    target.replaceChildren(...(items.length ? items : [el("li", { class: "none" }, t("none"))]));
  }
}
