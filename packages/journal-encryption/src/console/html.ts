/**
 * HTML built only through the `html` tag: every interpolated value is escaped unless it is itself
 * the product of `html` (a `SafeHtml`). Stored values, keys, names and error messages can therefore
 * never become markup — a stored `<script>` is shown as the text `<script>`.
 */

const SAFE = Symbol("safe-html");

/** A fragment of markup produced by `html` (or `joinHtml`); nothing else is trusted. */
export interface SafeHtml {
  readonly [SAFE]: true;
  readonly text: string;
}

const ESCAPES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;",
};

/** Escapes text for use in element content and in quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/g, (c) => ESCAPES[c] as string);
}

function isSafe(value: unknown): value is SafeHtml {
  return typeof value === "object" && value !== null && (value as { [SAFE]?: unknown })[SAFE] === true;
}

function fragment(text: string): SafeHtml {
  return { [SAFE]: true, text };
}

type Interpolation = SafeHtml | string | number | boolean | undefined | null | readonly Interpolation[];

function render(value: Interpolation): string {
  if (value === undefined || value === null || value === false) return "";
  if (Array.isArray(value)) return value.map(render).join("");
  if (isSafe(value)) return value.text;
  return escapeHtml(String(value));
}

/**
 * The one way to write markup.
 *
 * @example
 * ```ts
 * html`<td>${storedValue}</td>`.text; // "<td>&lt;script&gt;…</td>"
 * ```
 */
export function html(strings: TemplateStringsArray, ...values: Interpolation[]): SafeHtml {
  let out = strings[0] as string;
  for (let i = 0; i < values.length; i++) out += render(values[i] as Interpolation) + (strings[i + 1] as string);
  return fragment(out);
}

/** A URL path built from segments, each percent-encoded (so `/` or `?` in a key stays inside its segment). */
export function pathOf(...segments: string[]): string {
  return `/${segments.map((s) => encodeURIComponent(s)).join("/")}`;
}

/** A query string from the given parameters (empty ones left out). */
export function queryOf(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== "") search.set(name, String(value));
  }
  const text = search.toString();
  return text === "" ? "" : `?${text}`;
}
