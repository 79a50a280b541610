/** `/invocations/<id>`: status, target, and the journal as a timeline, every value decrypted or explained. */
import { readInvocation } from "../../show/invocation.js";
import { type JournalEntryView, readJournal } from "../../show/journal.js";
import { INVOCATION_ID_PATTERN } from "../../show/sql.js";
import { html, pathOf, queryOf } from "../html.js";
import type { Page, PageContext } from "../page.js";
import { valueHtml } from "../value-html.js";
import { statusBadge } from "./invocations.js";

/** Journal entries per page: a journal can hold many thousands, each with values to decrypt. */
export const JOURNAL_PAGE_SIZE = 200;

function entryHtml(entry: JournalEntryView) {
  const kind = entry.type.startsWith("Notification") ? "notification" : "command";
  return html`<li class="${kind}" data-index="${entry.index}" data-type="${entry.type}">
<div class="head"><span class="index">#${entry.index}</span><strong>${entry.type}</strong>${entry.name ? html` <code>${entry.name}</code>` : ""}${entry.detail ? html` <span class="muted">→ ${entry.detail}</span>` : ""}<span class="time">${entry.appendedAt ?? ""}</span></div>
${entry.values.map((v) => valueHtml(v.label, v.shown))}
${
  entry.failure
    ? html`<div class="value failure"><span class="label">failure</span> ${entry.failure.code === undefined ? "" : html`[${entry.failure.code}] `}${entry.failure.message} <span class="muted">(stored as sent: failures do not pass through the codec)</span></div>`
    : ""
}
</li>`;
}

export async function invocationPage(context: PageContext): Promise<Page> {
  const id = context.params[0] ?? "";
  if (!INVOCATION_ID_PATTERN.test(id)) {
    return { title: "Not an invocation id", status: 404, body: html`<h1>Not an invocation id</h1><p>${id}</p>` };
  }
  const invocation = await readInvocation(context.admin, id);
  if (invocation === undefined) {
    return {
      title: "Invocation not found",
      status: 404,
      body: html`<h1>Invocation not found</h1><p>The server has no invocation <code>${id}</code> (or no longer keeps it).</p>`,
    };
  }
  const fromText = context.url.searchParams.get("from") ?? "0";
  const from = /^(0|[1-9][0-9]{0,8})$/.test(fromText) ? Number(fromText) : 0;
  const size = invocation.journalSize ?? 0;
  if (Math.min(size - from, JOURNAL_PAGE_SIZE) > 50) {
    context.progress(`Reading and decrypting ${Math.min(size - from, JOURNAL_PAGE_SIZE)} journal entries…`);
  }
  // One page of entries at a time: a journal can hold many thousands of them.
  const rows = await readJournal(context.admin, id, context.keys, { from, limit: JOURNAL_PAGE_SIZE + 1 });
  const journal = rows.slice(0, JOURNAL_PAGE_SIZE);
  const more = rows.length > JOURNAL_PAGE_SIZE;
  const here = pathOf("invocations", invocation.id);
  const pager =
    from > 0 || more
      ? html`<div class="pager">${from > 0 ? html`<a href="${here}${queryOf({ from: Math.max(0, from - JOURNAL_PAGE_SIZE) || undefined })}">← earlier entries</a>` : ""}<span class="muted">entries from #${from}</span>${more ? html`<a href="${here}${queryOf({ from: from + JOURNAL_PAGE_SIZE })}">later entries →</a>` : ""}</div>`
      : "";
  const facts: [string, unknown][] = [
    ["Target", invocation.target],
    ["Service type", invocation.serviceType],
    ["Created", invocation.createdAt],
    ["Modified", invocation.modifiedAt],
    ["Completed", invocation.completedAt],
    ["Failure", invocation.completionFailure],
    ["Last failure", invocation.status === "completed" ? undefined : invocation.lastFailure],
    ["Attempts", invocation.retryCount],
    ["Invoked by", invocation.invokedByTarget ?? invocation.invokedBy],
    ["Idempotency key", invocation.idempotencyKey],
  ];
  const body = html`<h1>Invocation <code>${invocation.id}</code></h1>
<dl class="facts">
<dt>Status</dt><dd id="status">${statusBadge(invocation)}</dd>
${facts.filter(([, v]) => v !== undefined && v !== "").map(([k, v]) => html`<dt>${k}</dt><dd>${String(v)}</dd>`)}
${invocation.key ? html`<dt>Object</dt><dd><a id="object-link" href="${pathOf("objects", invocation.service, invocation.key)}">${invocation.service}/${invocation.key}</a> (current state)</dd>` : ""}
</dl>
<h2>Journal (${pager === "" ? journal.length : size} entries)</h2>
${pager}
${
  journal.length === 0 && from === 0
    ? html`<p class="muted">No journal kept: Restate removes a journal when its retention ends.</p>`
    : html`<ol class="timeline" id="journal">${journal.map(entryHtml)}</ol>`
}
${pager}`;
  return { title: `Invocation ${invocation.id}`, body };
}
