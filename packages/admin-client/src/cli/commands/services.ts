import { defineCommand } from "@restate-connect/cli-kit";
import { adminClientFor } from "../context.js";
import { renderTable } from "../table.js";

export const servicesList = defineCommand({
  name: "services list",
  aliases: ["services"],
  summary: "List services",
  async run(context) {
    const services = await adminClientFor(context).services.list();
    context.print(
      () =>
        renderTable(
          ["name", "type", "revision", "public", "deployment"],
          services.map((s) => [s.name, s.ty, s.revision, s.public, s.deployment_id]),
        ),
      services,
    );
    return undefined;
  },
});

export const servicesShow = defineCommand({
  name: "services show",
  aliases: ["service"],
  usage: "<name>",
  summary: "Show a service's settings and handlers",
  args: { min: 1, max: 1 },
  async run(context) {
    const service = await adminClientFor(context).services.get(context.args[0] as string);
    context.print(
      () =>
        [
          renderTable(
            ["setting", "value"],
            [
              ["name", service.name],
              ["type", service.ty],
              ["revision", service.revision],
              ["public", service.public],
              ["deployment", service.deployment_id],
              ["idempotency retention", service.idempotency_retention],
              ["journal retention", service.journal_retention],
              ["inactivity timeout", service.inactivity_timeout],
              ["abort timeout", service.abort_timeout],
            ],
          ),
          "",
          renderTable(
            ["handler", "type", "public"],
            service.handlers.map((h) => [h.name, h.ty, h.public]),
          ),
        ].join("\n"),
      service,
    );
    return undefined;
  },
});
