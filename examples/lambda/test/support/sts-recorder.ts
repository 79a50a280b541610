import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { listenOnLoopback } from "@restate-connect/testkit";

/** One `AssumeRole` call as it reached the STS endpoint. */
export interface RecordedAssumeRole {
  /** Access key id in the SigV4 `Authorization` header: who asked. */
  readonly callerAccessKeyId: string;
  readonly roleArn: string;
  readonly roleSessionName: string;
  /** `undefined` when the request carried no `ExternalId`. */
  readonly externalId: string | undefined;
  readonly status: number;
  /** Credentials STS handed out (present when the call succeeded). */
  readonly issued: IssuedCredentials | undefined;
}

export interface IssuedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

/** Decides whether an `AssumeRole` call may proceed (moto itself never evaluates trust policies). */
export type AssumeRoleGate = (call: {
  callerAccessKeyId: string;
  roleArn: string;
  externalId: string | undefined;
}) => Promise<{ allowed: true } | { allowed: false; message: string }>;

export interface StsRecorder {
  /** Point `AWS_ENDPOINT_URL_STS` here. */
  readonly url: string;
  readonly assumeRoleCalls: readonly RecordedAssumeRole[];
  /** Secret of credentials issued through this proxy, to verify SigV4 signatures made with them. */
  issuedCredentials(accessKeyId: string): IssuedCredentials | undefined;
  stop(): Promise<void>;
}

/**
 * A small HTTP proxy in front of moto's STS that records every `AssumeRole` request (who asked, which
 * role, which external id) and the credentials moto issued, and forwards everything unchanged.
 */
export async function startStsRecorder(upstream: string, gate?: AssumeRoleGate): Promise<StsRecorder> {
  const calls: RecordedAssumeRole[] = [];
  const issued = new Map<string, IssuedCredentials>();
  const server: Server = createServer((request, response) => {
    void forward(request, response).catch((error: unknown) => {
      response.writeHead(502, { "content-type": "text/plain" });
      response.end(`sts recorder: ${String(error)}`);
    });
  });

  async function forward(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request);
    const params = new URLSearchParams(body.toString("utf8"));
    if (params.get("Action") === "AssumeRole" && gate) {
      const call = {
        callerAccessKeyId: accessKeyIdOf(request.headers.authorization) ?? "(unsigned)",
        roleArn: params.get("RoleArn") ?? "",
        externalId: params.get("ExternalId") ?? undefined,
      };
      const verdict = await gate(call);
      if (!verdict.allowed) {
        calls.push({ ...call, roleSessionName: params.get("RoleSessionName") ?? "", status: 403, issued: undefined });
        response.writeHead(403, { "content-type": "text/xml" });
        response.end(
          `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>${escapeXml(verdict.message)}</Message></Error><RequestId>${crypto.randomUUID()}</RequestId></ErrorResponse>`,
        );
        return;
      }
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (value === undefined || name === "host" || name === "connection" || name === "content-length") continue;
      headers.set(name, Array.isArray(value) ? value.join(",") : value);
    }
    const upstreamResponse = await fetch(new URL(request.url ?? "/", upstream), {
      method: request.method ?? "POST",
      headers,
      body: body.length > 0 ? new Uint8Array(body) : undefined,
    });
    const responseText = await upstreamResponse.text();
    if (params.get("Action") === "AssumeRole") {
      const credentials = parseIssuedCredentials(responseText);
      if (credentials) issued.set(credentials.accessKeyId, credentials);
      calls.push({
        callerAccessKeyId: accessKeyIdOf(request.headers.authorization) ?? "(unsigned)",
        roleArn: params.get("RoleArn") ?? "",
        roleSessionName: params.get("RoleSessionName") ?? "",
        externalId: params.get("ExternalId") ?? undefined,
        status: upstreamResponse.status,
        issued: credentials,
      });
    }
    const outHeaders: Record<string, string> = {};
    upstreamResponse.headers.forEach((value, name) => {
      if (name !== "content-length" && name !== "transfer-encoding" && name !== "content-encoding")
        outHeaders[name] = value;
    });
    response.writeHead(upstreamResponse.status, outHeaders);
    response.end(responseText);
  }

  const listener = await listenOnLoopback(server);
  return {
    url: listener.url,
    assumeRoleCalls: calls,
    issuedCredentials: (accessKeyId) => issued.get(accessKeyId),
    stop: listener.close,
  };
}

/** The access key id from `AWS4-HMAC-SHA256 Credential=AKID/date/region/service/aws4_request, …`. */
export function accessKeyIdOf(authorization: string | undefined): string | undefined {
  const match = /Credential=([^/,\s]+)\//.exec(authorization ?? "");
  return match?.[1];
}

function parseIssuedCredentials(xml: string): IssuedCredentials | undefined {
  const pick = (tag: string) => new RegExp(`<${tag}>([^<]*)</${tag}>`).exec(xml)?.[1];
  const accessKeyId = pick("AccessKeyId");
  const secretAccessKey = pick("SecretAccessKey");
  const sessionToken = pick("SessionToken");
  if (!accessKeyId || !secretAccessKey || !sessionToken) return undefined;
  return { accessKeyId, secretAccessKey, sessionToken };
}

export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}
