export type {
  ConfigErrorCode,
  Environment,
  IdentityConfig,
  JournalConfig,
  ServiceConfig,
} from "./settings.js";
export { ConfigError, readServiceConfig } from "./settings.js";
