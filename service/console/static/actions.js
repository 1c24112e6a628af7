// Decisions, optimistic: the card leaves at once and comes back, saying why, when the API
// refuses (409/412: another moderator decided first). Each applied step can be undone.

import { ApiError, api } from "./api.js";
import { openEditor } from "./card.js";
import { t } from "./i18n.js";

const REASON_LABEL = { spam: "r_spam", abuse: "r_abuse", off_topic: "r_off_topic", other: "r_other" };
const BULK_LABEL = { approve: "bulk_approve", reject: "bulk_reject", spam: "bulk_spam" };

function titleOf(comment) {
  return comment.title.length > 60 ? `${comment.title.slice(0, 59)}…` : comment.title;
}

/** "Spam", "Đã từ chối (Lạc đề)": where a comment stands, as the notice tells it. */
export function standing(comment) {
  const status = t(`st_${comment.status}`);
  const reason = REASON_LABEL[comment.decision_reason];
  return reason && comment.status === "rejected" ? `${status} (${t(reason)})` : status;
}

export class Actions {
  /** `say(text, undoable)` announces; `offerUndo()` shows the undo button under what was
   * said; `changed()` refreshes the counts. */
  constructor(queue, { say, offerUndo, changed }) {
    this.queue = queue;
    this.say = say;
    this.offerUndo = offerUndo;
    this.changed = changed;
    this.undoStack = [];
    this.steps = 0; // each step's number, so answers arriving out of order undo in order
  }

  /** Approve, reject (with a reason) or mark spam the current comment. */
  async decide(action, reason = "other") {
    const comment = this.queue.current();
    if (!comment) return;
    const taken = this.queue.remove(comment.id);
    const step = ++this.steps;
    const done =
      action === "approve"
        ? t("done_approve", { title: titleOf(comment) })
        : reason === "spam"
          ? t("done_spam", { title: titleOf(comment) })
          : t("done_reject", { reason: t(REASON_LABEL[reason]), title: titleOf(comment) });
    this.say(done);
    try {
      const after =
        action === "approve"
          ? await api.approve(comment.id, comment.etag)
          : await api.reject(comment.id, comment.etag, reason);
      this.pushUndo({ step, kind: "decision", entries: [{ comment: after, at: taken.at }] });
    } catch (error) {
      await this.rollback(taken, error);
    }
    this.changed();
  }

  /** Edit the current comment inline, then approve the edited text. */
  editThenApprove() {
    const comment = this.queue.current();
    if (!comment) return;
    const card = this.queue.cardOf(comment.id);
    openEditor(card, comment, async (fields) => {
      if (!fields) {
        card.focus();
        return;
      }
      const taken = this.queue.remove(comment.id);
      const step = ++this.steps;
      const done = t("done_edit", { title: titleOf({ title: fields.title }) });
      this.say(done);
      try {
        const edited = await api.edit(comment.id, comment.etag, fields);
        const after = await api.approve(comment.id, edited.etag);
        this.pushUndo({ step, kind: "decision", entries: [{ comment: after, at: taken.at }] });
      } catch (error) {
        await this.rollback(taken, error);
      }
      this.changed();
    });
  }

  /** Approve, reject or mark spam every selected comment in one bulk call. */
  async bulk(action, reason = "other") {
    const ids = this.queue.items.filter((c) => this.queue.selected.has(c.id)).map((c) => c.id);
    if (!ids.length) {
      this.say(t("nothing_selected"));
      return;
    }
    const taken = new Map(ids.map((id) => [id, this.queue.remove(id)]));
    const step = ++this.steps;
    const ifMatch = Object.fromEntries([...taken.values()].map((x) => [x.comment.id, x.comment.etag]));
    const body = { action: action === "approve" ? "approve" : "reject", ids, if_match: ifMatch };
    if (action !== "approve") body.reason = action === "spam" ? "spam" : reason;
    try {
      const { results } = await api.bulk(body);
      const entries = [];
      // Put refused ones back last to first, so each lands where it was.
      for (const r of [...results].reverse()) {
        const was = taken.get(r.id);
        if (r.result === "ok") entries.unshift({ comment: { ...was.comment, etag: r.etag }, at: was.at });
        else this.restore(was, { ...was.comment, status: r.status ?? was.comment.status, etag: r.etag ?? was.comment.etag });
      }
      const failed = results.length - entries.length;
      const done = t("done_bulk", { action: t(BULK_LABEL[action]), ok: entries.length, failed });
      if (entries.length) this.pushUndo({ step, kind: "decision", entries }, done);
      else this.say(done);
    } catch (error) {
      for (const was of [...taken.values()].reverse()) this.queue.insert(was.comment, was.at);
      this.say(t("failed", { message: error.message }));
    }
    this.changed();
  }

  /** Ban the current comment's author (phone, else IP) on its site; undo lifts it. */
  async ban() {
    const comment = this.queue.current();
    if (!comment) return;
    const kind = comment.phone ? "phone" : comment.ip ? "ip" : null;
    if (!kind) {
      this.say(t("cannot_ban"));
      return;
    }
    const step = ++this.steps;
    try {
      const result = await api.ban({
        kind,
        comment_id: comment.id,
        site: comment.site,
        reject_recent_hours: 24,
      });
      const entries = result.rejected.map((id) => this.queue.remove(id)).filter(Boolean);
      const done = t("done_ban", { kind: t(`kind_${kind}`), n: result.rejected.length });
      this.pushUndo({ step, kind: "ban", ban: result.ban, entries }, done);
    } catch (error) {
      this.say(t("failed", { message: error.message }));
    }
    this.changed();
  }

  /** Show the current comment's phone and IP in full (an audited call). */
  async reveal(id) {
    try {
      this.queue.revealed.set(id, await api.reveal(id));
      this.queue.redraw(this.queue.find(id));
      this.say(t("revealed"));
    } catch (error) {
      this.say(t("failed", { message: error.message }));
    }
  }

  /** Take back the last decision (reopen) or ban (lift). */
  async undo() {
    const last = this.undoStack.pop();
    if (!last) {
      this.say(t("nothing_to_undo"));
      return;
    }
    try {
      if (last.kind === "ban") await this.lift(last);
      else await this.reopen(last);
    } catch (error) {
      this.say(t("failed", { message: error.message }));
    }
    this.changed();
  }

  async reopen(last) {
    // Last to first: each goes back where it was before the ones after it.
    for (const { comment, at } of [...last.entries].reverse()) {
      const back = await api.reopen(comment.id, comment.etag);
      if (this.shows(back)) this.queue.insert(back, at);
      this.say(t("done_reopen", { title: titleOf(back) }));
    }
  }

  async lift(last) {
    const result = await api.lift(last.ban.id);
    const restored = new Set(result.restored);
    for (const { comment, at } of [...last.entries].reverse()) {
      if (!restored.has(comment.id)) continue;
      const back = await api.comment(comment.id);
      if (this.shows(back)) this.queue.insert(back, at);
    }
    this.say(t("done_lift", { n: result.restored.length }));
  }

  shows(comment) {
    return (this.queue.params.status || "pending") === comment.status;
  }

  /** Remember an applied step; said now (`text`), or already said when it was optimistic. */
  pushUndo(entry, text = null) {
    const after = this.undoStack.findIndex((e) => e.step > entry.step);
    this.undoStack.splice(after < 0 ? this.undoStack.length : after, 0, entry);
    if (text) this.say(text, true);
    else this.offerUndo();
  }

  /** Put a refused comment back, saying what the other moderator decided. */
  async rollback(taken, error) {
    if (!(error instanceof ApiError) || ![409, 412].includes(error.status)) {
      this.queue.insert(taken.comment, taken.at, t("failed", { message: error.message }));
      this.say(t("failed", { message: error.message }));
      return;
    }
    // A 409 carries the comment as it is; a 412 only its new ETag, so read it again.
    const current = error.current || (await api.comment(taken.comment.id).catch(() => null));
    this.restore(taken, current || taken.comment);
  }

  restore(taken, current) {
    const notice = t("conflict", { status: standing(current) });
    this.queue.insert(current, taken.at, notice);
    this.say(notice);
  }
}
