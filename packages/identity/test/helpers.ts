import { createPrivateKey, sign as nodeSign } from "node:crypto";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

/** The key pair from restate-server's own request-identity tests (a public test vector). */
export const SERVER_TEST_KEY_PEM = `-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIPe++4ZTPQDF81otpoU/mOGHC2vOAVp9WbiCblvn3nXO
-----END PRIVATE KEY-----
`;
export const SERVER_TEST_PUBLIC_PEM = `-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAj5BTvH+WJo0QGHm2hdLOuk6P7szKgTQxmpnnmZe/DcU=
-----END PUBLIC KEY-----
`;
export const SERVER_TEST_KID = "publickeyv1_AfQwmwfgEZhrWpvv8N52SHpRtZqGGaFr4AZN6qtYWSiY";

export const b64url = (value: string | Uint8Array): string => Buffer.from(value).toString("base64url");

/** Builds an arbitrary compact JWS from raw header/payload JSON text, Ed25519-signed with `pem` (or with `signature`). */
export function forge(
  headerJson: string,
  payloadJson: string,
  pem: string = SERVER_TEST_KEY_PEM,
  signature?: Uint8Array,
): string {
  const input = `${b64url(headerJson)}.${b64url(payloadJson)}`;
  const sig = signature ?? nodeSign(null, Buffer.from(input), createPrivateKey(pem));
  return `${input}.${b64url(sig)}`;
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** Claims as restate-server makes them for `aud` at `iat`. */
export function serverClaims(aud: string, iat = nowSeconds(), expiration = 60): string {
  return JSON.stringify({ aud, exp: iat + expiration, iat, nbf: iat - expiration });
}

export const serverHeader = (kid = SERVER_TEST_KID): string => JSON.stringify({ typ: "JWT", alg: "EdDSA", kid });

export function headersFor(token: string): Record<string, string> {
  return { "x-restate-signature-scheme": "v1", "x-restate-jwt-v1": token };
}

/** The SDK's own identity verifier (sdk-shared-core, the code behind the SDK's `identityKeys`). */
export interface SdkBindings {
  WasmIdentityVerifier: new (keys: string[]) => { verify_identity(path: string, headers: unknown[]): void };
  WasmHeader: new (key: string, value: string) => unknown;
}

export async function loadSdkBindings(): Promise<SdkBindings> {
  const entry = createRequire(import.meta.url).resolve("@restatedev/restate-sdk");
  const bindings = join(dirname(entry), "endpoint/handlers/vm/sdk_shared_core_wasm_bindings.js");
  return (await import(pathToFileURL(bindings).href)) as SdkBindings;
}
