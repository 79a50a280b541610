import type { Http2ServerRequest, Http2ServerResponse } from "node:http2";
import { createVerifier, type Verifier } from "@restate-connect/identity";
import { type AdapterRejection, withIdentity } from "@restate-connect/identity/node";
import type { JournalCodec } from "@restate-connect/journal-encryption";
import { createEndpointHandler } from "@restatedev/restate-sdk";
import type { ChargeCard } from "./services.ts";
import { createServices } from "./services.ts";

export type ServiceListener = (request: Http2ServerRequest, response: Http2ServerResponse) => void;

export interface ServiceHandlerOptions {
  /** `publickeyv1_…` keys of the Restate environment(s) allowed to call the service. */
  identityKeys: readonly string[];
  /** The journal codec for every value the service hands to Restate. */
  codec: JournalCodec;
  /** Every request the identity check refuses, with the full reason (the caller only gets `401 {"code": …}`). */
  onReject?: (rejection: AdapterRejection, request: Http2ServerRequest) => void;
  /** Every signed request the identity check lets through, with the key that verified it (for metrics). */
  onAccept?: (keyId: string) => void;
  /** The card processor behind `ctx.run`. Default: the stand-in in card-processor.ts. */
  chargeCard?: ChargeCard;
  /**
   * Whether the SDK checks the same keys again behind the identity check. Default true: defence in
   * depth, and the SDK then does not warn that it accepts unsigned requests. It costs a second
   * signature check per request (in WebAssembly), so the cluster benchmark turns it off to measure
   * what the identity check itself costs.
   */
  sdkChecksToo?: boolean;
}

/**
 * The whole service as one HTTP/2 request listener: the SDK endpoint with the journal codec, behind
 * the identity check. The SDK checks the same keys again (defence in depth, and it then does not warn
 * that it accepts unsigned requests).
 *
 * @example
 * const listener = createServiceHandler({ identityKeys: ["publickeyv1_…"], codec });
 * http2.createServer(listener).listen(9080);
 */
export function createServiceHandler(options: ServiceHandlerOptions): ServiceListener {
  const sdkHandler = createEndpointHandler({
    services: createServices(options.chargeCard),
    journalValueCodecProvider: async () => options.codec,
    ...(options.sdkChecksToo === false ? {} : { identityKeys: [...options.identityKeys] }),
  });
  const verifier = createVerifier({ keys: options.identityKeys });
  const { onAccept } = options;
  return withIdentity(sdkHandler, {
    verifier: onAccept === undefined ? verifier : observeAccepted(verifier, onAccept),
    onReject: options.onReject,
  });
}

function observeAccepted(verifier: Verifier, onAccept: NonNullable<ServiceHandlerOptions["onAccept"]>): Verifier {
  // Keeps the verifier's getters (backend) live; only verify is observed.
  return Object.create(verifier, {
    verify: {
      value: async (...args: Parameters<Verifier["verify"]>) => {
        const result = await verifier.verify(...args);
        if (result.ok && result.signed) onAccept(result.keyId);
        return result;
      },
    },
  }) as Verifier;
}
