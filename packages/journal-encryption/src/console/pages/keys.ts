/** `/keys`: which keys protect how many stored state values: the numbers of `restate-journal audit`. */
import type { ProviderKind } from "../../envelope.js";
import type { KeyProvider } from "../../key-provider.js";
import { auditState, type ServiceAudit } from "../../state/audit.js";
import { html, pathOf } from "../html.js";
import type { Page, PageContext } from "../page.js";

const KINDS: readonly ProviderKind[] = ["local", "aws-kms"];

function countsRow(label: ReturnType<typeof html> | string, counts: Omit<ServiceAudit, "service">) {
  const keys = Object.entries(counts.keys).sort(([a], [b]) => (a < b ? -1 : 1));
  const undecodable = Object.entries(counts.undecodable);
  return html`<tr>
<td>${label}</td><td>${counts.objects}</td><td>${counts.values}</td>
<td>${keys.length === 0 ? html`<span class="muted">none</span>` : keys.map(([k, n]) => html`<div><code>${k}</code>: ${n}</div>`)}</td>
<td>${counts.plaintext}</td><td>${counts.referenceFormat}</td>
<td>${undecodable.length === 0 ? "0" : undecodable.map(([code, n]) => html`<div><code>${code}</code>: ${n}</div>`)}</td>
</tr>`;
}

export async function keysPage(context: PageContext): Promise<Page> {
  context.progress(
    "Reading every stored state value through the admin SQL API and opening each with this console's keys…",
  );
  const verifyWith = KINDS.map((kind) => context.keys.providerFor(kind)).filter(
    (p): p is KeyProvider => p !== undefined,
  );
  const report = await auditState({ admin: context.admin, verifyWith });
  context.progress(`Done: ${report.totals.values} values in ${report.totals.objects} objects.`);
  const body = html`<h1>Key report</h1>
<p class="muted">Stored state values by the key that protects them (the numbers of <code>restate-journal audit</code>), each also opened with this console's keys: a value that does not open is counted under its reason.</p>
<table id="key-report">
<thead><tr><th>Service</th><th>Objects</th><th>Values</th><th>By key</th><th>Plaintext</th><th>Reference format</th><th>Cannot decrypt</th></tr></thead>
<tbody>
${report.services.map((s) => countsRow(s.service, s))}
${countsRow(html`<strong>all services</strong>`, report.totals)}
</tbody>
</table>
${
  report.findings.length === 0
    ? html`<p>Nothing plaintext or undecodable.</p>`
    : html`<h2>Findings (first ${report.findings.length})</h2>
<table id="findings"><thead><tr><th>Object</th><th>State key</th><th>Finding</th></tr></thead><tbody>
${report.findings.map(
  (f) =>
    html`<tr><td><a href="${pathOf("objects", f.service, f.objectKey)}">${f.service}/${f.objectKey}</a></td><td><code>${f.stateKey}</code></td><td>${f.finding}${f.detail ? html` (<code>${f.detail}</code>)` : ""}</td></tr>`,
)}
</tbody></table>`
}`;
  return { title: "Key report", body };
}
