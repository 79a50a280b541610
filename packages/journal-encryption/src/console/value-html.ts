/** A decrypted, plaintext or unreadable value as markup; its text is always escaped. */
import type { DescribedValue } from "../show/describe-value.js";
import { html, type SafeHtml } from "./html.js";

function keyOf(shown: { provider?: string; keyId?: string | undefined }): string {
  if (shown.keyId) return `${shown.provider ?? ""} key ${shown.keyId}`.trim();
  return shown.provider ? `${shown.provider} key` : "";
}

/** One labelled value. */
export function valueHtml(label: string, shown: DescribedValue | undefined): SafeHtml {
  if (shown === undefined)
    return html`<div class="value"><span class="label">${label}</span> <span class="muted">(none)</span></div>`;
  if (shown.state === "unreadable") {
    const key = keyOf(shown);
    return html`<div class="value" data-state="unreadable" data-reason="${shown.reason}"><span class="label">${label}</span><span class="badge unreadable">cannot decrypt</span>
<div class="reason"><code>${shown.reason}</code>: ${shown.message}${key ? html` (${key})` : ""}</div></div>`;
  }
  const body =
    shown.value.as === "empty" ? html`<span class="muted">(empty)</span>` : html`<pre>${shown.value.text}</pre>`;
  const badge =
    shown.state === "plaintext"
      ? html`<span class="badge plaintext">plaintext: stored unencrypted</span>`
      : html`<span class="badge decrypted">decrypted · ${keyOf(shown)}</span>`;
  const as = shown.value.as === "hex" ? html` <span class="muted">(hex)</span>` : "";
  return html`<div class="value" data-state="${shown.state}"><span class="label">${label}</span>${badge}${as}${body}</div>`;
}
