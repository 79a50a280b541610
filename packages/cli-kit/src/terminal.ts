// C0 and C1 control characters, DEL, and the Unicode bidirectional controls that reorder what a
// terminal shows (Trojan Source). What a CLI prints often comes from a server or a file.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]/g;
// What JSON.stringify leaves raw although a terminal acts on it.
const JSON_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

const escapeChar = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;

/**
 * Text for a terminal: control characters as `\uXXXX` escapes, so nothing a server or file put into it
 * can move the cursor, recolour, retitle or clear the terminal. `oneLine` also escapes line breaks
 * (error, warning and progress lines stay one line and cannot forge another).
 */
export function terminalText(text: string, oneLine = false): string {
  const escaped = text.replace(CONTROL, escapeChar);
  return oneLine ? escaped.replace(/\n/g, escapeChar) : escaped;
}

/** `JSON.stringify` output with the characters it leaves raw but a terminal acts on escaped (still the same JSON). */
export function terminalJson(value: unknown): string {
  return (JSON.stringify(value, null, 2) ?? "null").replace(JSON_UNSAFE, escapeChar);
}
