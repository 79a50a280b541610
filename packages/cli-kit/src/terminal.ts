/**
 * What a CLI writes often carries text from elsewhere: a stored key, a server's error message, a
 * policy file. Text that reaches a terminal must not steer it (ESC and CSI sequences, OSC 8 links and
 * titles, a carriage return that overwrites the line, 8-bit C1 controls) or reorder what is shown
 * (bidi overrides, isolates and marks: Trojan Source), so every line goes out through these functions.
 */

const escapeChar = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;

/** C0 controls but tab and line feed, DEL, C1 controls, bidi marks, overrides and isolates, U+2028/9. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped
const STEERING = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]/g;

/**
 * Human text with every steering character written as a visible `\uXXXX` escape. `oneLine` also
 * escapes line feeds, so an error, warning or progress line stays one line and cannot forge another.
 */
export function terminalSafe(text: string, oneLine = false): string {
  const escaped = text.replace(STEERING, escapeChar);
  return oneLine ? escaped.replace(/\n/g, escapeChar) : escaped;
}

/** What `JSON.stringify` leaves raw although a terminal acts on it. */
const JSON_RAW = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]/g;

/**
 * JSON text (from `JSON.stringify`, which escapes C0 controls only) with the other steering
 * characters as `\uXXXX` escapes: the same JSON value, safe to show in a terminal.
 */
export function jsonTerminalSafe(json: string): string {
  return json.replace(JSON_RAW, escapeChar);
}
