// Checks recorded daemon responses against docs/openapi.yaml (R-API-DOC):
// every response's status must be documented for its operation, its content
// type must be a documented one, and a JSON body must satisfy the documented
// schema (JSON Schema 2020-12, as OpenAPI 3.1 uses). Also reports operations
// of the document that no recorded response exercised.
//   node validate_responses.mjs OPENAPI.yaml RECORDS.jsonl
// Each line of RECORDS.jsonl: {"method","path" (template),"status","content_type","body_file"}.
import fs from "node:fs";
import YAML from "yaml";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

const [docPath, recordsPath] = process.argv.slice(2);
const doc = YAML.parse(fs.readFileSync(docPath, "utf8"));
const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(doc, "openapi.json");

const pointer = (parts) => "#/" + parts.map((p) => String(p).replaceAll("~", "~0").replaceAll("/", "~1")).join("/");
const resolve = (obj) => {
  while (obj && obj.$ref) {
    obj = obj.$ref.slice(2).split("/").map((p) => p.replaceAll("~1", "/").replaceAll("~0", "~"))
      .reduce((o, k) => o[k], doc);
  }
  return obj;
};

const failures = [];
const seen = new Set();
const lines = fs.readFileSync(recordsPath, "utf8").split("\n").filter(Boolean);
for (const line of lines) {
  const r = JSON.parse(line);
  const where = `${r.method} ${r.path} ${r.status}`;
  const op = doc.paths?.[r.path]?.[r.method.toLowerCase()];
  if (!op) { failures.push(`${where}: no such operation in the document`); continue; }
  seen.add(`${r.method} ${r.path}`);
  let respKey = String(r.status) in op.responses ? String(r.status) : ("default" in op.responses ? "default" : null);
  if (!respKey) { failures.push(`${where}: status not documented`); continue; }
  const resp = resolve(op.responses[respKey]);
  const type = (r.content_type || "").split(";")[0].trim();
  const content = resp.content || {};
  if (!(type in content)) {
    failures.push(`${where}: content type '${type}' not documented (documented: ${Object.keys(content).join(", ") || "none"})`);
    continue;
  }
  if (type !== "application/json") continue;
  const body = JSON.parse(fs.readFileSync(r.body_file, "utf8"));
  const schemaPtr = r.path in doc.paths && op.responses[respKey].$ref
    ? op.responses[respKey].$ref.slice(1) + pointer(["content", type, "schema"]).slice(1)
    : pointer(["paths", r.path, r.method.toLowerCase(), "responses", respKey, "content", type, "schema"]).slice(1);
  const validate = ajv.getSchema("openapi.json#" + schemaPtr);
  if (!validate) { failures.push(`${where}: cannot compile schema at ${schemaPtr}`); continue; }
  if (!validate(body)) {
    failures.push(`${where}: body does not match the schema:\n    ` +
      validate.errors.map((e) => `${e.instancePath || "(root)"} ${e.message} ${JSON.stringify(e.params)}`).join("\n    ") +
      `\n    body: ${JSON.stringify(body).slice(0, 400)}`);
  }
}
for (const [path, item] of Object.entries(doc.paths)) {
  for (const method of Object.keys(item)) {
    if (!["get", "post", "put", "patch", "delete"].includes(method)) continue;
    if (!seen.has(`${method.toUpperCase()} ${path}`)) failures.push(`${method.toUpperCase()} ${path}: never exercised`);
  }
}
if (failures.length) {
  console.error(failures.join("\n"));
  console.error(`${failures.length} problem(s) in ${lines.length} responses`);
  process.exit(1);
}
console.log(`${lines.length} responses match docs/openapi.yaml; every operation exercised`);
