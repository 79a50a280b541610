import { connect } from "node:http2";

export interface DirectResponse {
  status: number;
  body: string;
}

/**
 * Sends one POST straight to the service endpoint over HTTP/2 cleartext (what restate-server speaks
 * to it), bypassing Restate entirely — what anyone who can reach the port could do.
 */
export function postDirect(baseUrl: string, path: string, headers: Record<string, string>): Promise<DirectResponse> {
  return new Promise((resolve, reject) => {
    const session = connect(baseUrl);
    const fail = (error: Error) => {
      session.destroy();
      reject(error);
    };
    session.once("error", fail);
    session.setTimeout(5000, () => fail(new Error(`no answer from ${baseUrl}${path} within 5 s`)));
    const request = session.request({
      ":method": "POST",
      ":path": path,
      "content-type": "application/vnd.restate.invocation.v5",
      ...headers,
    });
    let status = 0;
    let body = "";
    request.setEncoding("utf8");
    request.on("response", (head) => {
      status = Number(head[":status"]);
    });
    request.on("data", (chunk: string) => {
      body += chunk;
    });
    request.once("error", fail);
    request.once("end", () => {
      session.close();
      resolve({ status, body });
    });
    request.end();
  });
}
