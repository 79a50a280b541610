import { type Environment, listSetting } from "./environment.js";
import { ConfigError } from "./errors.js";
import { SETTINGS } from "./names.js";

/** Who may call the service: the Restate environment's public keys, or (development only) anyone. */
export type IdentityConfig = { readonly keys: readonly string[] } | { readonly allowUnsigned: true };

/**
 * Reads `RESTATE_IDENTITY_KEYS` (comma- or space-separated `publickeyv1_…` keys); without them only
 * `RESTATE_ALLOW_UNSIGNED=true` lets the service start, so a forgotten variable never opens it.
 */
export function readIdentityConfig(env: Environment): IdentityConfig {
  const keys = listSetting(env[SETTINGS.identityKeys], /[\s,]+/);
  if (keys.length > 0) {
    const bad = keys.findIndex((key) => !key.startsWith("publickeyv1_"));
    if (bad >= 0) {
      throw new ConfigError(
        "invalid_identity_keys",
        SETTINGS.identityKeys,
        `key ${bad} does not start with publickeyv1_`,
      );
    }
    return { keys };
  }
  if (env[SETTINGS.allowUnsigned] === "true") return { allowUnsigned: true };
  throw new ConfigError(
    "missing_identity_keys",
    SETTINGS.identityKeys,
    `not set; give the public key(s) of your Restate environment (or ${SETTINGS.allowUnsigned}=true for local development)`,
  );
}
