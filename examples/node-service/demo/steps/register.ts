import { createAdminClient } from "@restate-connect/admin-client";
import { type DemoStep, started } from "./context.ts";

export const register: DemoStep = {
  number: 3,
  name: "Register the service with @restate-connect/admin-client",
  explanation:
    "Restate discovers the service's handlers; the discovery request is signed, so the service lets it through.",
  async run(context) {
    const { say } = context;
    const admin = createAdminClient({ baseUrl: started(context).server.adminUrl });
    context.admin = admin;
    await admin.waitUntilReady({ timeoutMs: 30_000 });
    const registered = await say.wait(
      "registering",
      admin.deployments.register({ uri: context.serviceUrl }, { force: true }),
    );
    const services = registered.services
      .map((svc) => ({ name: svc.name, type: svc.ty, handlers: svc.handlers.map((handler) => handler.name).sort() }))
      .sort((a, b) => a.name.localeCompare(b.name));
    say.ok(`deployment ${registered.id} registered; discovered services:`);
    for (const svc of services) say.line(`  ${svc.name} (${svc.type}): ${svc.handlers.join(", ")}`);
    return { deploymentId: registered.id, services };
  },
};
