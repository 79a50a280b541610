/** Stable codes for the configuration problems the service and the client report at startup. */
export type ConfigErrorCode = "missing_setting" | "invalid_setting";

/** A setting is missing or malformed. The message names the variable, never its value. */
export class ConfigError extends Error {
  readonly code: ConfigErrorCode;
  readonly setting: string;
  constructor(code: ConfigErrorCode, setting: string, message: string) {
    super(`${setting}: ${message}`);
    this.name = "ConfigError";
    this.code = code;
    this.setting = setting;
  }
}
