import { defineCommand } from "@restate-connect/cli-kit";
import { adminClientFor } from "../context.js";
import { renderTable } from "../table.js";

export const query = defineCommand({
  name: "query",
  usage: '"<sql>"',
  summary: "Run SQL against the introspection tables (sys_invocation, sys_service, …)",
  args: { min: 1, max: 1 },
  async run(context) {
    const rows = await adminClientFor(context).query(context.args[0] as string);
    const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
    context.print(
      () =>
        rows.length === 0
          ? "(no rows)"
          : renderTable(
              columns,
              rows.map((row) => columns.map((column) => row[column])),
            ),
      rows,
    );
    return undefined;
  },
});
