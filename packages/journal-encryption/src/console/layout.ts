/** The frame around every console page: head, navigation, and the closing tags. */
import { html, type SafeHtml } from "./html.js";

export interface LayoutOptions {
  readonly title: string;
  /** The admin API the console reads from, shown in the header. */
  readonly adminUrl: string;
  /** Whether the navigation is shown (not on the access-token page). */
  readonly navigation: boolean;
}

/** Everything up to and including `<main>`: sent first, so progress can follow while a page is built. */
export function pageStart(options: LayoutOptions): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${options.title} · restate-journal console</title>
<link rel="stylesheet" href="/console.css">
</head>
<body>
<header>
<span class="brand">restate-journal console</span>
${
  options.navigation
    ? html`<nav><a href="/">Invocations</a> · <a href="/objects">Objects</a> · <a href="/keys">Key report</a></nav>`
    : ""
}
<span class="server">admin API ${options.adminUrl} · decrypted on this machine</span>
</header>
<main>
`;
}

export function pageEnd(): SafeHtml {
  return html`</main>
</body>
</html>
`;
}

/** A progress line written while a page is still being built. */
export function progressLine(text: string): SafeHtml {
  return html`<p class="progress">${text}</p>\n`;
}

/** A failure shown on the page: the error's code and message (never a secret: library messages carry none). */
export function errorBox(code: string, message: string): SafeHtml {
  return html`<div class="error" role="alert"><strong>${code}</strong>: ${message}</div>`;
}
