/** What a console page handler gets and gives back. */
import type { KeySource } from "../show/session-keys.js";
import type { StateAdmin } from "../state/admin.js";
import type { SafeHtml } from "./html.js";

export interface PageContext {
  readonly url: URL;
  /** Path segments after the route's prefix, percent-decoded. */
  readonly params: readonly string[];
  /** The admin client (SQL is all the pages use; the key report goes through `auditState`). */
  readonly admin: StateAdmin;
  readonly keys: KeySource;
  /** Writes a progress line to the page now (the page is streamed; the status is then 200). */
  progress(text: string): void;
}

export interface Page {
  readonly title: string;
  /** Default 200. Ignored once progress was written. */
  readonly status?: number;
  readonly body: SafeHtml;
}

export type PageHandler = (context: PageContext) => Promise<Page>;
