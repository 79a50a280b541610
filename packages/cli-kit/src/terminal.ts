/**
 * What a CLI writes can carry text from elsewhere: a stored key, a server's error message. Text
 * that reaches a terminal must not steer it (ESC and CSI sequences, OSC 8 links, a carriage return
 * that overwrites the line) or reorder what is shown (bidi overrides and isolates), so every line
 * goes out through these two functions.
 */

/** C0 controls but tab and line feed, DEL, C1 controls (U+009B is an 8-bit CSI), bidi overrides and isolates. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped
const STEERING = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Human text with every steering character written as a visible `\u{…}` escape. */
export function terminalSafe(text: string): string {
  return text.replace(STEERING, (c) => `\\u{${(c.codePointAt(0) as number).toString(16)}}`);
}

/** DEL, C1 controls, bidi overrides and isolates, and U+2028/U+2029: JSON.stringify leaves them raw. */
const JSON_RAW = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON text (from `JSON.stringify`, which escapes C0 controls only) with the other steering
 * characters as `\uXXXX` escapes: the same JSON value, safe to show in a terminal.
 */
export function jsonTerminalSafe(json: string): string {
  return json.replace(JSON_RAW, (c) => `\\u${(c.charCodeAt(0) as number).toString(16).padStart(4, "0")}`);
}
