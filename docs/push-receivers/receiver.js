// A push subscription's receiver that checks each delivery's signature (Node 18+, no packages).
// Run: WEBHOOK_SECRET=whsec_... PORT=8080 node receiver.js
const http = require("node:http");
const crypto = require("node:crypto");

const key = Buffer.from(process.env.WEBHOOK_SECRET.replace(/^whsec_/, ""), "base64");

function verified(headers, body) {
  const id = headers["webhook-id"], timestamp = headers["webhook-timestamp"];
  if (!id || !timestamp || Math.abs(Date.now() / 1000 - Number(timestamp)) > 300) return false;
  const expected = crypto.createHmac("sha256", key).update(`${id}.${timestamp}.`).update(body).digest();
  return (headers["webhook-signature"] || "").split(" ").some((s) => {
    const [version, signature] = s.split(",");
    const given = Buffer.from(signature || "", "base64");
    return version === "v1" && given.length === expected.length && crypto.timingSafeEqual(given, expected);
  });
}

http.createServer((req, res) => {
  const chunks = [];
  req.on("data", (c) => chunks.push(c));
  req.on("end", () => {
    const body = Buffer.concat(chunks);
    if (!verified(req.headers, body)) {
      res.writeHead(401).end();
      return;
    }
    // Deliveries are at least once: deduplicate by webhook-id before acting on one.
    console.log(JSON.stringify({ id: req.headers["webhook-id"], body: body.toString("utf8") }));
    res.writeHead(204).end();
  });
}).listen(Number(process.env.PORT || 8080), "127.0.0.1");
