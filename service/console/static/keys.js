// Keyboard first: one table of keys, read both by the handler and by the help overlay.

import { el } from "./dom.js";
import { t } from "./i18n.js";

/** [keys shown, help text key, command name, the keys that run it]. */
export const KEYS = [
  ["j / k", "k_move", null, []],
  ["a", "k_approve", "approve", ["a"]],
  ["r", "k_reject", "reject", ["r"]],
  ["s", "k_spam", "spam", ["s"]],
  ["e", "k_edit", "edit", ["e"]],
  ["x", "k_select", "select", ["x"]],
  ["A / R / S", "k_bulk", null, []],
  ["b", "k_ban", "ban", ["b"]],
  ["u", "k_undo", "undo", ["u"]],
  ["c", "k_context", "context", ["c"]],
  ["/", "k_search", "search", ["/"]],
  ["?", "k_help", "help", ["?"]],
];

const EXTRA = { j: "next", k: "previous", A: "bulkApprove", R: "bulkReject", S: "bulkSpam" };

/** The command a key press asks for, or null. */
export function commandFor(event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return null;
  if (EXTRA[event.key]) return EXTRA[event.key];
  const row = KEYS.find(([, , , keys]) => keys.includes(event.key));
  return row ? row[2] : null;
}

/** Whether the key press belongs to a field being typed in. */
export function typing(event) {
  const target = event.target;
  return (
    target instanceof HTMLElement &&
    (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))
  );
}

/** Fill the help overlay's list from the table. */
export function renderHelp(list) {
  list.replaceChildren(
    ...KEYS.flatMap(([shown, help]) => [el("dt", {}, el("kbd", {}, shown)), el("dd", {}, t(help))]),
  );
}
