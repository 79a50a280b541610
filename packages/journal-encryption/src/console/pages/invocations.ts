/** `/`: invocations, newest first, filtered by service, handler, status and object key; paged. */
import { INVOCATION_COLUMNS, type InvocationSummary, invocationFromRow } from "../../show/invocation.js";
import { sqlString } from "../../show/sql.js";
import { html, pathOf, queryOf } from "../html.js";
import type { Page, PageContext } from "../page.js";

export const PAGE_SIZE = 50;

/** The statuses `sys_invocation.status` takes in restate-server 1.7. */
export const STATUSES = [
  "pending",
  "scheduled",
  "ready",
  "running",
  "backing-off",
  "paused",
  "suspended",
  "completed",
] as const;

export interface InvocationFilters {
  service?: string;
  handler?: string;
  status?: string;
  key?: string;
}

const MAX_FILTER_LENGTH = 512;

/** Reads the filters from the query string; anything malformed is dropped and named. */
export function filtersOf(url: URL): { filters: InvocationFilters; page: number; problems: string[] } {
  const problems: string[] = [];
  const filters: InvocationFilters = {};
  for (const name of ["service", "handler", "key"] as const) {
    const value = url.searchParams.get(name)?.trim();
    if (!value) continue;
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
    const control = /[\u0000-\u001f\u007f]/;
    if (value.length > MAX_FILTER_LENGTH || control.test(value)) problems.push(`${name} filter ignored`);
    else filters[name] = value;
  }
  const status = url.searchParams.get("status");
  if (status) {
    if ((STATUSES as readonly string[]).includes(status)) filters.status = status;
    else problems.push("status filter ignored: not a known status");
  }
  const pageText = url.searchParams.get("page") ?? "1";
  const page = /^[1-9][0-9]{0,5}$/.test(pageText) ? Number(pageText) : 1;
  return { filters, page, problems };
}

/** One page of invocations plus whether there is another. */
export async function listInvocations(
  admin: PageContext["admin"],
  filters: InvocationFilters,
  page: number,
  pageSize = PAGE_SIZE,
): Promise<{ rows: InvocationSummary[]; more: boolean }> {
  const where: string[] = [];
  if (filters.service) where.push(`target_service_name = ${sqlString(filters.service, "service filter")}`);
  if (filters.handler) where.push(`target_handler_name = ${sqlString(filters.handler, "handler filter")}`);
  if (filters.status) where.push(`status = ${sqlString(filters.status, "status filter")}`);
  if (filters.key) where.push(`target_service_key = ${sqlString(filters.key, "object key filter")}`);
  const rows = await admin.query(
    `SELECT ${INVOCATION_COLUMNS} FROM sys_invocation${where.length ? ` WHERE ${where.join(" AND ")}` : ""} ORDER BY created_at DESC, id DESC LIMIT ${pageSize + 1} OFFSET ${(page - 1) * pageSize}`,
  );
  return { rows: rows.slice(0, pageSize).map(invocationFromRow), more: rows.length > pageSize };
}

export function statusBadge(invocation: Pick<InvocationSummary, "status" | "completionResult">) {
  const failed = invocation.completionResult === "failure";
  const label = invocation.completionResult
    ? `${invocation.status}: ${invocation.completionResult}`
    : invocation.status;
  return html`<span class="status ${failed ? "failure" : invocation.status}">${label}</span>`;
}

export async function invocationsPage(context: PageContext): Promise<Page> {
  const { filters, page, problems } = filtersOf(context.url);
  const { rows, more } = await listInvocations(context.admin, filters, page);
  const link = (p: number) => `/${queryOf({ ...filters, page: p === 1 ? undefined : p })}`;
  const options = STATUSES.map(
    (s) => html`<option value="${s}"${filters.status === s ? html` selected` : ""}>${s}</option>`,
  );
  const body = html`<h1>Invocations</h1>
${problems.map((p) => html`<p class="notice">${p}</p>`)}
<form class="filters" method="get" action="/">
<label>Service<input name="service" value="${filters.service ?? ""}"></label>
<label>Handler<input name="handler" value="${filters.handler ?? ""}"></label>
<label>Object key<input name="key" value="${filters.key ?? ""}"></label>
<label>Status<select name="status"><option value="">any</option>${options}</select></label>
<button type="submit">Filter</button> <a href="/">clear</a>
</form>
<table id="invocations">
<thead><tr><th>Created</th><th>Invocation</th><th>Target</th><th>Status</th></tr></thead>
<tbody>
${
  rows.length === 0
    ? html`<tr><td colspan="4" class="muted">No invocations match.</td></tr>`
    : rows.map(
        (r) => html`<tr data-id="${r.id}">
<td class="mono">${r.createdAt ?? ""}</td>
<td><a class="mono" href="${pathOf("invocations", r.id)}">${r.id}</a></td>
<td>${r.target}${r.key ? html` · <a href="${pathOf("objects", r.service, r.key)}">state</a>` : ""}</td>
<td>${statusBadge(r)}</td>
</tr>`,
      )
}
</tbody>
</table>
<div class="pager">
${page > 1 ? html`<a href="${link(page - 1)}">← newer</a>` : ""}
<span class="muted">page ${page}</span>
${more ? html`<a href="${link(page + 1)}">older →</a>` : ""}
</div>`;
  return { title: "Invocations", body };
}
