// C0 and C1 control characters (ESC starts terminal escape sequences, CR/LF forge lines), DEL, and the
// Unicode bidirectional overrides that reorder what a terminal shows.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/**
 * Text that came from a server, made safe to put into a message that ends up on a terminal: every
 * control character is shown as its `\uXXXX` escape, so an error line stays one line and a hostile
 * server cannot move the cursor, recolour, retitle or clear the terminal.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
