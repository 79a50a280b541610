import { generateKeyPair } from "@restate-connect/identity";
import { startRestate } from "@restate-connect/testkit";
import type { DemoStep } from "./context.ts";

export const startServer: DemoStep = {
  number: 1,
  name: "Start restate-server with a fresh signing key",
  explanation:
    "restate-server signs every request it sends to services with an Ed25519 key; the service will accept nothing else.",
  async run(context) {
    const { say, stack } = context;
    ({ privateKeyPem: context.signingKeyPem, publicKey: context.publicKey } = generateKeyPair());
    say.ok(`generated an Ed25519 signing key; its public half is ${context.publicKey}`);
    const starting = startRestate({ signingKeyPem: context.signingKeyPem });
    stack.addStarting(starting, (server) => server.stop());
    const server = await say.wait("starting restate-server 1.7.12 on free loopback ports", starting);
    context.server = server;
    stack.addProcess(server.pid, server.stop);
    stack.tempDirs.push(server.baseDir);
    say.ok(`restate-server is up (pid ${server.pid}): ingress ${server.ingressUrl}, admin ${server.adminUrl}`);
    return {
      publicKey: context.publicKey,
      serverPid: server.pid,
      adminUrl: server.adminUrl,
      ingressUrl: server.ingressUrl,
    };
  },
};
