import { defineCommand } from "@restate-connect/cli-kit";
import { adminClientFor } from "../context.js";

export const health = defineCommand({
  name: "health",
  summary: "Check the admin API and show the server version",
  async run(context) {
    const admin = adminClientFor(context);
    await admin.health();
    const version = await admin.version();
    const api = await admin.apiVersion();
    const answeredBy = admin.activeBaseUrl;
    context.print(() => `ok: restate-server ${version.version} at ${answeredBy} (admin API v${api})`, {
      healthy: true,
      version: version.version,
      admin_api_version: api,
      admin_url: answeredBy,
    });
    return undefined;
  },
});
