/** `/objects`: objects with stored state; `/objects/<service>/<key>`: one object's state, decrypted. */
import { readObjectStateView } from "../../show/object-state.js";
import { sqlString, textColumn } from "../../show/sql.js";
import { html, pathOf, queryOf } from "../html.js";
import type { Page, PageContext } from "../page.js";
import { valueHtml } from "../value-html.js";

const PAGE_SIZE = 100;

export async function objectsPage(context: PageContext): Promise<Page> {
  const service = context.url.searchParams.get("service")?.trim() ?? "";
  const pageText = context.url.searchParams.get("page") ?? "1";
  const page = /^[1-9][0-9]{0,5}$/.test(pageText) ? Number(pageText) : 1;
  const where = service ? ` WHERE service_name = ${sqlString(service, "service filter")}` : "";
  const rows = await context.admin.query(
    `SELECT service_name, service_key, COUNT(*) AS entries FROM state${where} GROUP BY service_name, service_key ORDER BY service_name, service_key LIMIT ${PAGE_SIZE + 1} OFFSET ${(page - 1) * PAGE_SIZE}`,
  );
  const more = rows.length > PAGE_SIZE;
  const link = (p: number) => `/objects${queryOf({ service, page: p === 1 ? undefined : p })}`;
  const body = html`<h1>Objects with state</h1>
<form class="filters" method="get" action="/objects">
<label>Service<input name="service" value="${service}"></label>
<button type="submit">Filter</button>
</form>
<table id="objects"><thead><tr><th>Service</th><th>Key</th><th>State entries</th></tr></thead><tbody>
${
  rows.length === 0
    ? html`<tr><td colspan="3" class="muted">No stored state.</td></tr>`
    : rows.slice(0, PAGE_SIZE).map((row) => {
        const name = textColumn(row.service_name) ?? "";
        const key = textColumn(row.service_key) ?? "";
        return html`<tr><td>${name}</td><td><a href="${pathOf("objects", name, key)}">${key}</a></td><td>${textColumn(row.entries) ?? ""}</td></tr>`;
      })
}
</tbody></table>
<div class="pager">${page > 1 ? html`<a href="${link(page - 1)}">← previous</a>` : ""}<span class="muted">page ${page}</span>${more ? html`<a href="${link(page + 1)}">next →</a>` : ""}</div>`;
  return { title: "Objects", body };
}

export async function objectPage(context: PageContext): Promise<Page> {
  const [service, key] = context.params;
  if (service === undefined || key === undefined || context.params.length !== 2) {
    return {
      title: "Not found",
      status: 404,
      body: html`<h1>Not found</h1><p>Use /objects/&lt;service&gt;/&lt;key&gt;.</p>`,
    };
  }
  const view = await readObjectStateView(context.admin, service, key, context.keys);
  const invocations = `/${queryOf({ service, key })}`;
  const body = html`<h1>${service} / <code>${key}</code></h1>
<p><a href="${invocations}">Invocations of this object</a></p>
<h2>State (${view.state.length} entries)</h2>
${
  view.state.length === 0
    ? html`<p class="muted">No state stored for this key.</p>`
    : html`<table id="state"><thead><tr><th>Name</th><th>Value</th></tr></thead><tbody>${view.state.map(
        (entry) =>
          html`<tr data-name="${entry.name}"><td><code>${entry.name}</code></td><td>${valueHtml("", entry.shown)}</td></tr>`,
      )}</tbody></table>`
}
${
  view.promises.length === 0
    ? ""
    : html`<h2>Workflow promises</h2><table id="promises"><thead><tr><th>Name</th><th>Value</th></tr></thead><tbody>${view.promises.map(
        (p) =>
          html`<tr><td><code>${p.name}</code></td><td>${
            p.failure
              ? html`<span class="failure">rejected: ${p.failure}</span>`
              : p.completed
                ? valueHtml("", p.shown)
                : html`<span class="muted">not completed</span>`
          }</td></tr>`,
      )}</tbody></table>`
}`;
  return { title: `${service}/${key}`, body };
}
