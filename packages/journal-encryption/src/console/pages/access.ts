/** The access-token page shown when the console needs a token and the browser has no session. */
import { html, type SafeHtml } from "../html.js";

/** `next` is where to go after a correct token: only a local path is kept. */
export function safeNext(next: string | undefined | null): string {
  return typeof next === "string" && /^\/(?![/\\])[^\s]*$/.test(next) && next.length < 2048 ? next : "/";
}

export function accessPage(next: string, wrong: boolean): SafeHtml {
  return html`<div class="login">
<h1>Access token</h1>
<p>This console was started with an access token. Enter it to continue; it is checked on the server and a session cookie is kept for this browser tab's origin only.</p>
${wrong ? html`<p class="error" role="alert">That token is not correct.</p>` : ""}
<form method="post" action="/login">
<input type="hidden" name="next" value="${safeNext(next)}">
<label for="token">Token</label>
<input id="token" name="token" type="password" autocomplete="off" required autofocus>
<button type="submit">Open the console</button>
</form>
</div>`;
}
