// The loaded queue: its comments in order, the current one, the selection, and their cards.

import { api } from "./api.js";
import { renderCard } from "./card.js";

const PAGE = 50;
// Fetch the next page when the current comment is this close to the end of what is loaded.
const PREFETCH = 10;

export class Queue {
  constructor(list, empty, moreButton) {
    this.list = list;
    this.empty = empty;
    this.moreButton = moreButton;
    this.items = [];
    this.index = 0;
    this.selected = new Set();
    this.revealed = new Map();
    this.notices = new Map();
    this.decided = new Set(); // decided here: polling must not bring them back
    this.params = {};
    this.cursor = null;
    this.loading = null;
    this.generation = 0;
  }

  /** Load the first page for `params` (site and filters) and show it. */
  async load(params) {
    this.params = params;
    this.generation += 1;
    const generation = this.generation;
    const page = await api.queue({ ...params, limit: PAGE });
    if (generation !== this.generation) return;
    Object.assign(this, { items: page.items, index: 0, cursor: page.next_cursor });
    this.selected.clear();
    this.notices.clear();
    this.renderAll();
  }

  /** Append the next page, if there is one (one fetch at a time). */
  more() {
    if (!this.cursor || this.loading) return this.loading;
    const generation = this.generation;
    this.loading = api
      .queue({ ...this.params, limit: PAGE, cursor: this.cursor })
      .then((page) => {
        if (generation !== this.generation) return;
        const known = new Set(this.items.map((c) => c.id));
        const fresh = page.items.filter((c) => !known.has(c.id));
        this.items.push(...fresh);
        this.cursor = page.next_cursor;
        this.list.append(...fresh.map((c) => this.card(c)));
        this.refreshChrome();
      })
      .finally(() => {
        this.loading = null;
      });
    return this.loading;
  }

  card(comment) {
    return renderCard(comment, {
      selected: this.selected.has(comment.id),
      revealed: this.revealed.get(comment.id),
      notice: this.notices.get(comment.id),
    });
  }

  renderAll() {
    this.list.replaceChildren(...this.items.map((c) => this.card(c)));
    this.refreshChrome();
    this.highlight(false);
  }

  refreshChrome() {
    this.empty.hidden = this.items.length > 0;
    this.moreButton.hidden = !this.cursor;
  }

  cardOf(id) {
    return this.list.querySelector(`li.card[data-id="${CSS.escape(id)}"]`);
  }

  current() {
    return this.items[this.index] || null;
  }

  find(id) {
    return this.items.find((c) => c.id === id) || null;
  }

  /** Mark the current card (and focus it, unless the user is typing elsewhere). */
  highlight(focus = true) {
    for (const old of this.list.querySelectorAll("li.card.current")) {
      old.classList.remove("current");
      old.removeAttribute("aria-current");
    }
    const comment = this.current();
    if (!comment) return;
    const card = this.cardOf(comment.id);
    card.classList.add("current");
    card.setAttribute("aria-current", "true");
    if (focus) card.focus({ preventScroll: true });
    card.scrollIntoView({ block: "nearest" });
    if (this.items.length - this.index <= PREFETCH) this.more();
  }

  move(delta) {
    if (!this.items.length) return;
    this.index = Math.max(0, Math.min(this.items.length - 1, this.index + delta));
    this.highlight();
  }

  moveTo(id) {
    const at = this.items.findIndex((c) => c.id === id);
    if (at >= 0) {
      this.index = at;
      this.highlight();
    }
  }

  /** Take a comment off the list (optimistically); returns where it was, for a rollback. */
  remove(id) {
    const at = this.items.findIndex((c) => c.id === id);
    if (at < 0) return null;
    const [comment] = this.items.splice(at, 1);
    this.cardOf(id)?.remove();
    this.selected.delete(id);
    this.decided.add(id);
    if (at < this.index || this.index >= this.items.length) this.index = Math.max(0, this.index - 1);
    this.refreshChrome();
    this.highlight();
    return { comment, at };
  }

  /** Put a comment (back) at `at`, with an optional notice on its card. */
  insert(comment, at, notice = null) {
    this.decided.delete(comment.id);
    if (notice) this.notices.set(comment.id, notice);
    else this.notices.delete(comment.id);
    const existing = this.items.findIndex((c) => c.id === comment.id);
    if (existing >= 0) {
      this.items[existing] = comment;
      this.cardOf(comment.id).replaceWith(this.card(comment));
      this.index = existing;
    } else {
      const where = Math.max(0, Math.min(at, this.items.length));
      const before = this.items[where];
      this.items.splice(where, 0, comment);
      const card = this.card(comment);
      if (before) this.cardOf(before.id).before(card);
      else this.list.append(card);
      this.index = where;
    }
    this.refreshChrome();
    this.highlight();
  }

  /** Re-draw one comment's card (after a reveal, a selection, an edit). */
  redraw(comment) {
    const at = this.items.findIndex((c) => c.id === comment.id);
    if (at < 0) return;
    this.items[at] = comment;
    const card = this.card(comment);
    if (at === this.index) {
      card.classList.add("current");
      card.setAttribute("aria-current", "true");
    }
    this.cardOf(comment.id).replaceWith(card);
  }

  toggleSelected(id) {
    if (this.selected.has(id)) this.selected.delete(id);
    else this.selected.add(id);
    const card = this.cardOf(id);
    card.classList.toggle("selected", this.selected.has(id));
    card.querySelector("input[data-action=select]").checked = this.selected.has(id);
  }

  /** Add comments that arrived since the last look, where the sort puts them. */
  merge(items) {
    const known = new Set(this.items.map((c) => c.id));
    const fresh = items.filter((c) => !known.has(c.id) && !this.decided.has(c.id));
    const current = this.current();
    let added = 0;
    for (const comment of fresh) {
      const at = this.positionFor(comment);
      // Past the loaded window: the next page brings it in its place.
      if (at === this.items.length && this.cursor) continue;
      added += 1;
      const before = this.items[at];
      this.items.splice(at, 0, comment);
      const card = this.card(comment);
      if (before) this.cardOf(before.id).before(card);
      else this.list.append(card);
    }
    if (current) this.index = this.items.indexOf(current);
    this.refreshChrome();
    if (added && !current) this.highlight(false);
    return added;
  }

  positionFor(comment) {
    const later = (c) =>
      this.params.sort === "score"
        ? (c.score ?? -Infinity) < (comment.score ?? -Infinity)
        : c.created_at < comment.created_at;
    const at = this.items.findIndex(later);
    return at < 0 ? this.items.length : at;
  }
}
