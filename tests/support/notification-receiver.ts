import http from "node:http";
import type { AddressInfo } from "node:net";

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver on loopback: records every request and answers with the queued statuses (then 200). */
export class Receiver {
  readonly received: Received[] = [];
  readonly statuses: number[] = [];
  private server!: http.Server;
  url = "";

  async start(): Promise<void> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        this.received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
        const status = this.statuses.shift() ?? 200;
        res.writeHead(status, { "content-type": "text/plain" }).end(status >= 300 ? "receiver is down" : "ok");
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  reset(statuses: number[] = []): void {
    this.received.length = 0;
    this.statuses.splice(0, this.statuses.length, ...statuses);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
