import { createSigner, generateKeyPair } from "@restate-connect/identity";
import { postDirect } from "../attacker.ts";
import { events, waitFor } from "../service-events.ts";
import { type DemoStep, started } from "./context.ts";

export const attacks: DemoStep = {
  number: 6,
  name: "The attacker's view",
  explanation:
    "Calling the service port directly, without Restate: no signature, a token from another key, a real token replayed on another path.",
  async run(context) {
    const { say, serviceUrl } = context;
    const { service } = started(context);
    const foreign = createSigner({ privateKeyPem: generateKeyPair().privateKeyPem });
    const genuine = createSigner({ privateKeyPem: context.signingKeyPem });
    const before = events(service, "identity_rejected").length;
    const tries = [
      { attack: "no signature", path: "/discover", headers: {} },
      { attack: "token signed by a different key", path: "/discover", headers: await foreign.sign("/discover") },
      {
        attack: "genuine token replayed on another path",
        path: "/invoke/customer/profile",
        headers: await genuine.sign("/discover"),
      },
    ];
    const responses = [];
    for (const attempt of tries) {
      const response = await postDirect(serviceUrl, attempt.path, { ...attempt.headers });
      responses.push({ attack: attempt.attack, path: attempt.path, status: response.status, body: response.body });
      if (response.status !== 401) {
        throw new Error(`${attempt.attack}: expected HTTP 401 from the service, got ${response.status}`);
      }
    }
    const rejections = await waitFor(
      () => {
        const seen = events(service, "identity_rejected").slice(before);
        return seen.length >= tries.length ? seen : undefined;
      },
      5000,
      "the service's onReject hook to report every rejected request",
    );
    responses.forEach((response, index) => {
      const rejection = rejections[index];
      say.ok(`${response.attack}: POST ${response.path} → HTTP ${response.status} ${response.body}`);
      say.line(`    onReject saw: ${String(rejection?.code)} — ${String(rejection?.message)}`);
    });
    return {
      responses,
      rejections: rejections.map((rejection) => ({ code: rejection.code, message: rejection.message })),
    };
  },
};
