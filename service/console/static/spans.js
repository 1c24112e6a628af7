// Where each reason matched: the API counts code points, JavaScript strings count UTF-16
// units, so an emoji or any astral character before a span shifts it by one unit each.

/** UTF-16 offsets of every code point boundary of `text` (length: code points + 1). */
export function unitOffsets(text) {
  const offsets = [0];
  let unit = 0;
  for (const char of text) {
    unit += char.length;
    offsets.push(unit);
  }
  return offsets;
}

/** The reasons' spans in one field as sorted, merged `[start, end, codes]` UTF-16 ranges. */
export function rangesFor(text, reasons, field) {
  const offsets = unitOffsets(text);
  const last = offsets.length - 1;
  const ranges = [];
  for (const reason of reasons || []) {
    for (const span of reason.spans || []) {
      if (span.field !== field) continue;
      const start = Math.max(0, Math.min(span.start, last));
      const end = Math.max(start, Math.min(span.end, last));
      if (end > start) ranges.push([offsets[start], offsets[end], [reason.code]]);
    }
  }
  ranges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const merged = [];
  for (const range of ranges) {
    const top = merged[merged.length - 1];
    if (top && range[0] < top[1]) {
      top[1] = Math.max(top[1], range[1]);
      for (const code of range[2]) if (!top[2].includes(code)) top[2].push(code);
    } else {
      merged.push(range);
    }
  }
  return merged;
}

/** `text` as DOM nodes, each matched range wrapped in a `<mark>`: text nodes only, never HTML. */
export function highlighted(text, reasons, field) {
  const fragment = document.createDocumentFragment();
  let at = 0;
  for (const [start, end, codes] of rangesFor(text, reasons, field)) {
    if (start > at) fragment.append(document.createTextNode(text.slice(at, start)));
    const mark = document.createElement("mark");
    mark.title = codes.join(", ");
    mark.dataset.reasons = codes.join(" ");
    mark.append(document.createTextNode(text.slice(start, end)));
    fragment.append(mark);
    at = end;
  }
  if (at < text.length) fragment.append(document.createTextNode(text.slice(at)));
  return fragment;
}
