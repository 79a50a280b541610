import { createHash, createHmac, type Hash, type Hmac } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import type { IssuedCredentials } from "./sts-recorder.ts";

/** SHA-256 / HMAC-SHA-256 for `@smithy/signature-v4`, on Node's crypto. */
export class NodeSha256 {
  private hash: Hash | Hmac;
  private readonly secret: string | Uint8Array | undefined;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    this.secret =
      secret === undefined || typeof secret === "string"
        ? secret
        : secret instanceof ArrayBuffer
          ? new Uint8Array(secret)
          : new Uint8Array(secret.buffer, secret.byteOffset, secret.byteLength);
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash("sha256") : createHmac("sha256", this.secret);
  }
  update(data: string | ArrayBuffer | ArrayBufferView): void {
    this.hash.update(
      typeof data === "string"
        ? data
        : data instanceof ArrayBuffer
          ? new Uint8Array(data)
          : new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    );
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

export interface SignedRequest {
  method: string;
  /** The raw request target, path and query, exactly as received. */
  rawUrl: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export type SignatureCheck =
  | { ok: true; accessKeyId: string; region: string; service: string }
  | { ok: false; reason: string };

/**
 * Recomputes the SigV4 signature of a received request with the credentials it claims to use and
 * compares it with the one it carries: the request was really signed by whoever holds that secret.
 */
export async function verifySigV4(request: SignedRequest, credentials: IssuedCredentials): Promise<SignatureCheck> {
  const authorization = header(request.headers, "authorization");
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
      authorization ?? "",
    );
  if (!match) return { ok: false, reason: "no SigV4 Authorization header" };
  const [, accessKeyId = "", , region = "", service = "", signedHeaderList = "", signature = ""] = match;
  if (accessKeyId !== credentials.accessKeyId) return { ok: false, reason: "credential does not match" };
  const amzDate = header(request.headers, "x-amz-date");
  if (!amzDate) return { ok: false, reason: "no x-amz-date header" };
  const signingDate = new Date(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13)}`,
  );

  const signedNames = signedHeaderList.split(";");
  const headers: Record<string, string> = {};
  for (const name of signedNames) {
    const value = header(request.headers, name);
    if (value === undefined) return { ok: false, reason: `signed header ${name} is missing` };
    headers[name] = value;
  }
  const url = new URL(request.rawUrl, "http://placeholder");
  const query: Record<string, string> = {};
  url.searchParams.forEach((value, key) => {
    query[key] = value;
  });
  const rawPath = request.rawUrl.split("?")[0] ?? "/";

  const signer = new SignatureV4({
    credentials: {
      accessKeyId: credentials.accessKeyId,
      secretAccessKey: credentials.secretAccessKey,
      sessionToken: credentials.sessionToken,
    },
    region,
    service,
    sha256: NodeSha256,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: "http:",
      hostname: "placeholder",
      path: rawPath,
      query,
      headers,
      body: request.body,
    },
    { signingDate },
  );
  const expected = Object.entries(signed.headers).find(([name]) => name.toLowerCase() === "authorization")?.[1];
  const expectedSignature = /Signature=([0-9a-f]{64})/.exec(expected ?? "")?.[1];
  if (expectedSignature !== signature) return { ok: false, reason: "signature does not match" };
  return { ok: true, accessKeyId, region, service };
}

function header(headers: SignedRequest["headers"], name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(",") : value;
}
