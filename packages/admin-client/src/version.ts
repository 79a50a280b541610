import { IncompatibleServerError } from "./errors.js";
import type { VersionInformation } from "./types.js";

/**
 * The admin API versions this client speaks. restate-server serves each supported version under a
 * path prefix (`/v2/…`, `/v3/…`, `/v4/…`), reports its range at `GET /version`, and expects a client to
 * pick the highest version both sides support (as the Restate CLI does). The types in this package are
 * generated from the v4 document of restate-server 1.7.12; v3 has the same request shapes for the
 * operations exposed here (v2 defaulted `force` to true and answered 409 for an unchanged deployment,
 * which breaks idempotent registration, so it is not offered).
 */
export const CLIENT_ADMIN_API_VERSIONS: readonly [number, number] = [3, 4];

/** The part of `GET /version`'s answer that decides the admin API version. */
export type ServerVersionInfo = Pick<VersionInformation, "version" | "min_admin_api_version" | "max_admin_api_version">;

/**
 * Picks the highest admin API version in both ranges.
 *
 * @example
 * chooseAdminApiVersion({ version: "1.7.12", min_admin_api_version: 2, max_admin_api_version: 4 }); // 4
 */
export function chooseAdminApiVersion(
  server: ServerVersionInfo,
  client: readonly [number, number] = CLIENT_ADMIN_API_VERSIONS,
): number {
  const low = Math.max(server.min_admin_api_version, client[0]);
  const high = Math.min(server.max_admin_api_version, client[1]);
  if (low > high) {
    throw new IncompatibleServerError(
      server.version,
      [server.min_admin_api_version, server.max_admin_api_version],
      client,
    );
  }
  return high;
}
