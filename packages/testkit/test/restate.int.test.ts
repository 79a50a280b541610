import { generateKeyPairSync } from "node:crypto";
import { existsSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import {
  isAlive,
  type RestateServer,
  register,
  type ServedEndpoint,
  serveEndpoint,
  startRestate,
} from "../src/index.js";
import { greet, greeter } from "./fixtures/greeter.js";

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((stop) => stop()));
});
function track<T extends RestateServer | ServedEndpoint>(thing: T): T {
  cleanups.push(thing.stop);
  return thing;
}

describe("startRestate", () => {
  it("runs restate-server 1.7.12, registers an SDK service and invokes it through ingress", async () => {
    const server = track(await startRestate());
    const version = (await (await fetch(`${server.adminUrl}/version`)).json()) as { version: string };
    expect(version.version).toBe("1.7.12");

    const endpoint = track(await serveEndpoint([greeter]));
    const registration = (await register(server.adminUrl, endpoint.url)) as { services: Array<{ name: string }> };
    expect(registration.services.map((s) => s.name)).toEqual(["Greeter"]);
    expect(await greet(server.ingressUrl, "testkit")).toBe("Hello, testkit!");
  });

  it("signs requests to services when given a signing key", async () => {
    const { privateKey } = generateKeyPairSync("ed25519");
    const pem = privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    const server = track(await startRestate({ signingKeyPem: pem }));
    const seen: Array<string | string[] | undefined> = [];
    const endpoint = track(
      await serveEndpoint([greeter], {
        wrap: (handler) => (request, response) => {
          seen.push(request.headers["x-restate-signature-scheme"]);
          if (typeof request.headers["x-restate-jwt-v1"] !== "string") seen.push("no-jwt");
          handler(request, response);
        },
      }),
    );
    await register(server.adminUrl, endpoint.url);
    expect(await greet(server.ingressUrl, "signed")).toBe("Hello, signed!");
    expect(seen.length).toBeGreaterThanOrEqual(2); // discovery + invocation
    expect(new Set(seen)).toEqual(new Set(["v1"]));
  });

  it("starts and stops three times in a row, leaving no process and no temp dir behind", async () => {
    for (let round = 0; round < 3; round++) {
      const server = await startRestate();
      expect(isAlive(server.pid)).toBe(true);
      expect(existsSync(server.baseDir)).toBe(true);
      await server.stop();
      expect(isAlive(server.pid)).toBe(false);
      expect(existsSync(server.baseDir)).toBe(false);
    }
  });

  it("reports the log tail when the server cannot start", async () => {
    await expect(startRestate({ config: "this is not toml" })).rejects.toThrow(/restate-server/);
  });
});
