// The console: sign in, pick a site, filter, then work through the queue by keyboard or touch.

import { Actions } from "./actions.js";
import { ApiError, api, forgetKey, storeKey, storedKey } from "./api.js";
import { Context } from "./context.js";
import { el } from "./dom.js";
import { language, setLanguage, t, translatePage } from "./i18n.js";
import { commandFor, renderHelp, typing } from "./keys.js";
import { Queue } from "./queue.js";

const POLL_MS = 10_000;
const STATUSES = ["pending", "spam", "received", "approved", "rejected"];
const REASON_CODES = [
  "links", "link_only", "link_shortener", "link_suspicious_tld", "link_blocked", "contact_phone",
  "contact_zalo", "contact_telegram", "contact_facebook", "contact_viber", "contact_inbox",
  "premium_sms", "lexicon_betting", "lexicon_loan", "lexicon_pharmacy", "lexicon_crypto",
  "lexicon_seo", "lexicon_job", "lexicon_promo", "call_to_action", "self_promotion",
  "engagement_bait", "honeypot", "too_fast", "duplicate", "velocity", "reputation", "banned",
  "profanity", "shouting", "model", "scoring_budget", "site_rule", "held",
];
const SITE_SLOT = "commentgate.console.site";

const $ = (selector) => document.querySelector(selector);
const signInForm = $("#sign-in");
const filters = $("#filters");
const siteSelect = $("#site");
const live = $("#live");
const toast = $("#toast");

const queue = new Queue($("#queue"), $("#queue-empty"), $("#more"));
const context = new Context($("#context"));
const actions = new Actions(queue, { say, offerUndo, changed: refreshCounts });
let sites = [];
let poller = null;

/** Tell screen readers (the live region), without showing anything. */
function announce(text) {
  live.textContent = "";
  // Emptied first, so the same words twice are announced twice.
  requestAnimationFrame(() => {
    live.textContent = text;
  });
}

/** Announce `text` and show it in the toast (with an undo button if undoable). */
function say(text, undoable = false) {
  announce(text);
  $("#toast-text").textContent = text;
  $("#toast-undo").hidden = !undoable;
  toast.hidden = false;
}

function offerUndo() {
  $("#toast-undo").hidden = false;
}

function showSignedIn(signedIn) {
  signInForm.hidden = signedIn;
  $("#console").hidden = !signedIn;
  for (const part of document.querySelectorAll(".signed-in")) part.hidden = !signedIn;
  if (!signedIn) toast.hidden = true;
}

async function signIn(event) {
  event.preventDefault();
  const input = $("#key");
  const key = input.value.trim();
  const error = $("#sign-in-error");
  error.textContent = "";
  try {
    const answer = await api.sites(key);
    storeKey(key);
    input.value = "";
    await start(answer.items);
  } catch (failure) {
    const status = failure instanceof ApiError ? failure.status : 0;
    error.textContent = t(status === 401 ? "bad_key" : status === 403 ? "not_moderator" : "network");
    input.setAttribute("aria-invalid", "true");
    input.focus();
  }
}

function signOut(message = "signed_out") {
  forgetKey();
  clearInterval(poller);
  poller = null;
  queue.items = [];
  queue.list.replaceChildren();
  context.close();
  showSignedIn(false);
  $("#sign-in-error").textContent = message === "signed_out" ? "" : t(message);
  live.textContent = t(message);
  $("#key").focus();
}

async function start(items) {
  sites = items;
  const remembered = sessionStorage.getItem(SITE_SLOT);
  siteSelect.replaceChildren(...sites.map((s) => el("option", { value: s.name }, s.name)));
  if (sites.some((s) => s.name === remembered)) siteSelect.value = remembered;
  showSignedIn(true);
  renderCounts();
  await reload();
  clearInterval(poller);
  poller = setInterval(poll, POLL_MS);
}

function params() {
  const form = new FormData(filters);
  const wanted = { site: siteSelect.value };
  for (const [name, value] of form.entries()) wanted[name] = String(value).trim();
  return wanted;
}

async function reload() {
  sessionStorage.setItem(SITE_SLOT, siteSelect.value);
  try {
    await queue.load(params());
    announce(t("loaded", { n: queue.items.length }));
  } catch (error) {
    handleFailure(error);
  }
}

function handleFailure(error) {
  if (error instanceof ApiError && error.status === 401) signOut("bad_key");
  else say(t("failed", { message: error.message }));
}

function renderCounts() {
  const site = sites.find((s) => s.name === siteSelect.value);
  const counts = site?.counts || {};
  $("#counts").setAttribute("aria-label", t("counts"));
  $("#counts").replaceChildren(
    ...STATUSES.map((status) =>
      el(
        "li",
        { class: `status-${status}`, dataset: { status } },
        `${t(`st_${status}`)} `,
        el("strong", {}, String(counts[status] ?? 0)),
      ),
    ),
  );
}

async function refreshCounts() {
  try {
    sites = (await api.sites()).items;
    renderCounts();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) signOut("bad_key");
  }
}

/** New comments without a reload: the first page again, merged; counts refreshed. */
async function poll() {
  if (!storedKey() || document.hidden) return;
  await refreshCounts();
  try {
    const page = await api.queue({ ...queue.params, limit: 50 });
    const added = queue.merge(page.items);
    if (added) announce(t("new_comments", { n: added }));
  } catch (error) {
    handleFailure(error);
  }
}

/** The reject reason, from the picker (1–4 or a click), or null if cancelled. */
function askReason() {
  const dialog = $("#reasons");
  return new Promise((resolve) => {
    const reasons = [...dialog.querySelectorAll("[data-reason]")].map((b) => b.dataset.reason);
    const finish = (reason) => {
      dialog.removeEventListener("keydown", onKey);
      dialog.removeEventListener("click", onClick);
      dialog.removeEventListener("cancel", onCancel);
      dialog.close();
      resolve(reason || null);
    };
    const onKey = (event) => {
      const n = Number(event.key);
      if (n >= 1 && n <= 4) {
        event.preventDefault();
        finish(reasons[n - 1]);
      }
    };
    const onClick = (event) => {
      const button = event.target.closest("[data-reason]");
      if (button) finish(button.dataset.reason);
    };
    const onCancel = (event) => {
      event.preventDefault();
      finish(null);
    };
    dialog.addEventListener("keydown", onKey);
    dialog.addEventListener("click", onClick);
    dialog.addEventListener("cancel", onCancel);
    dialog.showModal();
    dialog.querySelector("[data-reason]").focus();
  });
}

async function run(command) {
  const current = queue.current();
  switch (command) {
    case "next":
      return queue.move(1);
    case "previous":
      return queue.move(-1);
    case "approve":
      return actions.decide("approve");
    case "spam":
      return actions.decide("reject", "spam");
    case "reject": {
      const reason = await askReason();
      if (reason) await actions.decide("reject", reason);
      else queue.highlight();
      return;
    }
    case "edit":
      return actions.editThenApprove();
    case "select":
      if (current) queue.toggleSelected(current.id);
      return showSelection();
    case "bulkApprove":
      return actions.bulk("approve").then(showSelection);
    case "bulkSpam":
      return actions.bulk("spam").then(showSelection);
    case "bulkReject": {
      const reason = await askReason();
      if (reason) await actions.bulk("reject", reason);
      return showSelection();
    }
    case "ban":
      return actions.ban();
    case "undo":
      return actions.undo();
    case "context":
      return context.toggle(current);
    case "search":
      return filters.elements.q.focus();
    case "help":
      return openHelp();
    case "reveal":
      return current && actions.reveal(current.id);
    default:
  }
}

function showSelection() {
  const n = queue.selected.size;
  $("#selection").hidden = n === 0;
  $("#selection-count").textContent = t("selected", { n });
}

function openHelp() {
  renderHelp($("#help-keys"));
  $("#help").showModal();
  $("#help-close").focus();
}

function onKey(event) {
  if (!storedKey() || $("#console").hidden || document.querySelector("dialog[open]")) return;
  if (typing(event)) {
    if (event.key === "Escape") queue.highlight();
    return;
  }
  const command = commandFor(event);
  if (!command) return;
  event.preventDefault();
  run(command);
}

function onQueueClick(event) {
  const target = event.target.closest("[data-action]");
  const card = event.target.closest("li.card");
  if (!card || event.target.closest(".editor")) return;
  queue.moveTo(card.dataset.id);
  if (!target) return;
  const action = target.dataset.action;
  if (action === "article") {
    filters.elements.article.value = queue.current().article;
    reload();
  } else if (action === "select") {
    queue.toggleSelected(card.dataset.id);
    showSelection();
  } else {
    run(action);
  }
}

function switchLanguage() {
  setLanguage(language() === "vi" ? "en" : "vi");
  translateAll();
  queue.renderAll();
  renderCounts();
  showSelection();
}

function translateAll() {
  translatePage();
  $("#lang").textContent = t("lang_switch");
  $("#lang").lang = language() === "vi" ? "en" : "vi";
}

function wire() {
  signInForm.addEventListener("submit", signIn);
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    reload().then(() => queue.highlight());
  });
  filters.addEventListener("change", (event) => {
    if (event.target.tagName === "SELECT") reload();
  });
  siteSelect.addEventListener("change", () => {
    renderCounts();
    reload();
  });
  $("#sign-out").addEventListener("click", () => signOut());
  $("#lang").addEventListener("click", switchLanguage);
  $("#help-open").addEventListener("click", openHelp);
  $("#help-close").addEventListener("click", () => $("#help").close());
  $("#toast-undo").addEventListener("click", () => actions.undo());
  $("#more").addEventListener("click", () => queue.more());
  $("#context-close").addEventListener("click", () => context.close());
  $("#queue").addEventListener("click", onQueueClick);
  $("#queue").addEventListener("focusin", () => context.follow(queue.current()));
  $("#selection").addEventListener("click", (event) => {
    const button = event.target.closest("[data-bulk]");
    if (button) run({ approve: "bulkApprove", reject: "bulkReject", spam: "bulkSpam" }[button.dataset.bulk]);
  });
  document.addEventListener("keydown", onKey);
  $("#reason-codes").replaceChildren(...REASON_CODES.map((code) => el("option", { value: code })));
}

async function boot() {
  setLanguage(language());
  translateAll();
  wire();
  if (!storedKey()) {
    showSignedIn(false);
    return;
  }
  try {
    await start((await api.sites()).items);
  } catch (error) {
    signOut(error instanceof ApiError && error.status === 401 ? "bad_key" : "network");
  }
}

boot();
