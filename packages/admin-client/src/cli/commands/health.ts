import { defineCommand } from "@restate-connect/cli-kit";
import { adminClientFor, adminUrlOf } from "../context.js";

export const health = defineCommand({
  name: "health",
  summary: "Check the admin API and show the server version",
  async run(context) {
    const admin = adminClientFor(context);
    await admin.health();
    const version = await admin.version();
    const api = await admin.apiVersion();
    context.print(() => `ok: restate-server ${version.version} at ${adminUrlOf(context)} (admin API v${api})`, {
      healthy: true,
      version: version.version,
      admin_api_version: api,
    });
    return undefined;
  },
});
